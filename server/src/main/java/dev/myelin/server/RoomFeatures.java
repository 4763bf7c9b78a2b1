package dev.myelin.server;

import dev.myelin.server.admin.EventReportAdminEndpoints;
import dev.myelin.server.client.MutualRoomsEndpoints;
import dev.myelin.server.client.OpenIdEndpoints;
import dev.myelin.server.client.ProfileEndpoints;
import dev.myelin.server.client.ReportEndpoints;
import dev.myelin.server.client.SearchEndpoints;
import dev.myelin.server.client.SpaceEndpoints;
import dev.myelin.server.client.UserDirectoryEndpoints;
import dev.myelin.server.client.VoipEndpoints;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.openid.OpenIdService;
import dev.myelin.server.profile.MemberEventPropagator;
import dev.myelin.server.profile.ProfileService;
import dev.myelin.server.report.ReportService;
import dev.myelin.server.search.SearchBackfill;
import dev.myelin.server.search.SearchService;
import dev.myelin.server.space.RoomSummaries;
import dev.myelin.server.space.SpaceHierarchy;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlOpenIdTokenStore;
import dev.myelin.server.storage.sql.SqlProfileStore;
import dev.myelin.server.storage.sql.SqlReportStore;
import dev.myelin.server.storage.sql.SqlSearchStore;
import dev.myelin.server.storage.sql.SqlUserDirectoryStore;
import dev.myelin.server.user.AccountListener;
import dev.myelin.server.userdir.UserDirectoryService;
import dev.myelin.server.voip.TurnCredentials;

import java.time.Clock;

/**
 * The room features of issue #10 wired together: profiles, the user directory, search, reports, room summaries and
 * spaces, mutual rooms, OpenID and TURN credentials.
 */
public record RoomFeatures(Accounts accounts, Rooms rooms, ProfileService profiles,
                           MemberEventPropagator propagator, UserDirectoryService directory, SearchService search,
                           SearchBackfill backfill, ReportService reports, RoomSummaries summaries,
                           SpaceHierarchy hierarchy, OpenIdService openId, TurnCredentials turn, String serverName)
        implements AutoCloseable {

    /** Member events carried to a user's rooms after a profile change, per second. */
    static final double PROFILE_ROOMS_PER_SECOND = 20;

    public static RoomFeatures create(MyelinConfig config, Database database, Accounts accounts, Rooms rooms,
                                      Clock clock) {
        var profileStore = new SqlProfileStore(database);
        var propagator = new MemberEventPropagator(rooms.service(),
                userId -> ProfileService.memberFields(profileStore.fields(userId)), PROFILE_ROOMS_PER_SECOND);
        var profiles = new ProfileService(accounts.accounts(), profileStore, propagator);
        rooms.service().useMemberProfiles(profiles::memberFields);
        var directory = new UserDirectoryService(new SqlUserDirectoryStore(database),
                config.userDirectory().searchAllUsers());
        accounts.accounts().addListener((AccountListener) (userId, erase) -> {
            if (erase) {
                profiles.erase(userId);
            }
            directory.remove(userId);
        });
        var searchStore = new SqlSearchStore(database);
        var summaries = new RoomSummaries(rooms.service());
        return new RoomFeatures(accounts, rooms, profiles, propagator, directory,
                new SearchService(rooms.service(), rooms.reader(), searchStore), SearchBackfill.start(searchStore),
                new ReportService(rooms.service(), rooms.reader(), accounts.accounts(), new SqlReportStore(database),
                        clock),
                summaries, new SpaceHierarchy(rooms.service(), summaries),
                new OpenIdService(new SqlOpenIdTokenStore(database), clock), new TurnCredentials(config.voip(), clock),
                config.serverName());
    }

    /** The client API endpoints and the event reports admin API. */
    public void routes(Router router, Authenticator authenticator) {
        new ProfileEndpoints(authenticator, profiles).register(router);
        new UserDirectoryEndpoints(authenticator, directory).register(router);
        new SearchEndpoints(authenticator, search).register(router);
        new ReportEndpoints(authenticator, reports).register(router);
        new EventReportAdminEndpoints(authenticator, accounts.accounts(), reports.store(), rooms.service())
                .register(router);
        new SpaceEndpoints(authenticator, rooms.service(), summaries, hierarchy).register(router);
        new MutualRoomsEndpoints(authenticator, rooms.service().store()).register(router);
        new OpenIdEndpoints(authenticator, openId, serverName).register(router);
        new VoipEndpoints(authenticator, turn).register(router);
    }

    /** The OpenID userinfo lookup of the federation API. */
    public void federationRoutes(Router router, Authenticator authenticator) {
        new OpenIdEndpoints(authenticator, openId, serverName).registerFederation(router);
    }

    @Override
    public void close() {
        propagator.close();
        backfill.close();
    }
}
