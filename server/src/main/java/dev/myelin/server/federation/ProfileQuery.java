package dev.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A local user's public profile for federation queries; throws 404 M_NOT_FOUND for users we do not have. */
@FunctionalInterface
public interface ProfileQuery {
    ObjectNode profile(String userId);
}
