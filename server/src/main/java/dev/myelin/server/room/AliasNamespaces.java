package dev.myelin.server.room;

/**
 * Who else has a say over local room aliases (application services, spec: application-service-api "Querying" and
 * "Server admin style permissions"): it may create an unknown alias when asked, and may reserve aliases.
 */
public interface AliasNamespaces {
    AliasNamespaces NONE = new AliasNamespaces() {
        @Override
        public boolean queryUnknown(String alias) {
            return false;
        }

        @Override
        public void checkMayCreate(String alias, String userId, String appServiceId) {
        }
    };

    /** Asks about an alias that does not exist; true if it may exist now. */
    boolean queryUnknown(String alias);

    /** Refuses (400 M_EXCLUSIVE) an alias reserved for someone other than this user or application service. */
    void checkMayCreate(String alias, String userId, String appServiceId);
}
