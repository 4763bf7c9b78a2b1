package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Rooms both the requester and another user are joined to (spec: mutual_rooms.yaml, MSC2666), at the stable path,
 * the path MSC2666 named, and the unstable one clients still call. Pages of {@value #PAGE} rooms in room id order;
 * {@code next_batch} is the last room id returned.
 */
public final class MutualRoomsEndpoints {
    static final int PAGE = 100;

    private final Authenticator authenticator;
    private final RoomStore store;

    public MutualRoomsEndpoints(Authenticator authenticator, RoomStore store) {
        this.authenticator = authenticator;
        this.store = store;
    }

    public void register(Router router) {
        router.add("GET", "/_matrix/client/v1/mutual_rooms", this::mutualRooms);
        router.add("GET", "/_matrix/client/v1/user/mutual_rooms", this::mutualRooms);
        router.add("GET", "/_matrix/client/unstable/uk.half-shot.msc2666/user/mutual_rooms", this::mutualRooms);
    }

    private MatrixResponse mutualRooms(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        String other = request.query("user_id")
                .orElseThrow(() -> MatrixException.missingParam("Missing 'user_id'"));
        try {
            UserId.parse(other);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("The user ID provided was invalid");
        }
        if (other.equals(requester.userId())) {
            throw MatrixException.invalidParam("You cannot ask for rooms shared with yourself");
        }
        Set<String> mine = joined(requester.userId());
        TreeSet<String> shared = joined(other).stream().filter(mine::contains)
                .collect(Collectors.toCollection(TreeSet::new));
        String from = request.query("from").orElse(null);
        if (from != null && !from.startsWith("!")) {
            throw MatrixException.invalidParam("Invalid 'from' token");
        }
        List<String> after = (from == null ? shared : shared.tailSet(from, false)).stream().limit(PAGE + 1).toList();
        var out = new LinkedHashMap<String, Object>();
        boolean more = after.size() > PAGE;
        List<String> page = more ? after.subList(0, PAGE) : after;
        out.put("joined", page);
        out.put("count", shared.size());
        if (more) {
            out.put("next_batch", page.getLast());
        }
        return MatrixResponse.ok(out);
    }

    private Set<String> joined(String userId) {
        return store.membershipsOf(userId).stream().filter(m -> "join".equals(m.membership()))
                .map(RoomStore.Membership::roomId).collect(Collectors.toSet());
    }
}
