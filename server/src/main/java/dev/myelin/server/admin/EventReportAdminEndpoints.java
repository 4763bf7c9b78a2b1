package dev.myelin.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.ReportStore;
import dev.myelin.server.storage.ReportStore.Report;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.user.AccountService;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Synapse's event reports admin API ({@code /_synapse/admin/v1/event_reports}): list with paging and filters, read
 * one with the reported event, delete one. Server admins only; same shapes as Synapse.
 */
public final class EventReportAdminEndpoints {
    private static final String PREFIX = "/_synapse/admin/v1/event_reports";

    private final Authenticator authenticator;
    private final AccountService accounts;
    private final ReportStore reports;
    private final RoomService rooms;

    public EventReportAdminEndpoints(Authenticator authenticator, AccountService accounts, ReportStore reports,
                                     RoomService rooms) {
        this.authenticator = authenticator;
        this.accounts = accounts;
        this.reports = reports;
        this.rooms = rooms;
    }

    public void register(Router router) {
        router.add("GET", PREFIX, this::list);
        router.add("GET", PREFIX + "/{reportId}", this::get);
        router.add("DELETE", PREFIX + "/{reportId}", this::delete);
    }

    private void requireAdmin(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        if (!accounts.find(requester.userId()).map(a -> a.admin() && !a.deactivated()).orElse(false)) {
            throw MatrixException.forbidden("You are not a server admin");
        }
    }

    private static int nonNegative(MatrixRequest request, String name, int fallback) {
        Optional<String> text = request.query(name);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'" + name + "' must be a non-negative integer");
        }
    }

    private MatrixResponse list(MatrixRequest request) {
        requireAdmin(request);
        int limit = nonNegative(request, "limit", 100);
        int from = nonNegative(request, "from", 0);
        String dir = request.query("dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) {
            throw MatrixException.invalidParam("'dir' must be b or f");
        }
        Optional<String> reporter = request.query("user_id");
        Optional<String> roomId = request.query("room_id");
        List<Report> page = reports.list(ReportStore.Kind.EVENT, from, limit, dir.equals("f"), reporter, roomId);
        long total = reports.count(ReportStore.Kind.EVENT, reporter, roomId);
        var out = new LinkedHashMap<String, Object>();
        var rendered = new ArrayList<Map<String, Object>>();
        page.forEach(report -> rendered.add(render(report, false)));
        out.put("event_reports", rendered);
        if (from + page.size() < total) {
            out.put("next_token", from + page.size());
        }
        out.put("total", total);
        return MatrixResponse.ok(out);
    }

    private Report find(MatrixRequest request) {
        long id;
        try {
            id = Long.parseLong(request.pathParam("reportId"));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("The report id must be an integer");
        }
        return reports.find(id).filter(report -> report.kind() == ReportStore.Kind.EVENT)
                .orElseThrow(() -> MatrixException.notFound("Event report not found"));
    }

    private MatrixResponse get(MatrixRequest request) {
        requireAdmin(request);
        return MatrixResponse.ok(render(find(request), true));
    }

    private MatrixResponse delete(MatrixRequest request) {
        requireAdmin(request);
        reports.delete(find(request).id());
        return MatrixResponse.empty();
    }

    private Map<String, Object> render(Report report, boolean withEvent) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", report.id());
        out.put("received_ts", report.receivedTs());
        out.put("room_id", report.roomId().orElse(null));
        out.put("event_id", report.eventId().orElse(null));
        out.put("user_id", report.reporter());
        out.put("reason", report.reason().orElse(null));
        out.put("score", report.score().orElse(null));
        Optional<RoomStore.Room> room = report.roomId().flatMap(rooms.store()::room);
        Optional<Pdu> event = room.flatMap(r -> report.eventId().flatMap(rooms.store()::event)
                .map(stored -> rooms.pdu(stored, RoomService.version(r))));
        out.put("sender", event.map(Pdu::sender).orElse(null));
        room.ifPresent(r -> {
            var keys = List.of(new StateKey("m.room.name", ""), new StateKey("m.room.canonical_alias", ""));
            Map<StateKey, RoomStore.StoredEvent> state = rooms.store().state(r.currentSnapshot(), keys);
            out.put("name", text(state.get(keys.get(0)), r, "name"));
            out.put("canonical_alias", text(state.get(keys.get(1)), r, "alias"));
        });
        if (withEvent) {
            out.put("event_json", event.map(pdu -> (ObjectNode) pdu.json()).orElse(Json.MAPPER.createObjectNode()));
        }
        return out;
    }

    private String text(RoomStore.StoredEvent stored, RoomStore.Room room, String field) {
        if (stored == null) {
            return null;
        }
        var content = rooms.pdu(stored, RoomService.version(room)).content();
        return content.path(field).isTextual() ? content.get(field).asText() : null;
    }
}
