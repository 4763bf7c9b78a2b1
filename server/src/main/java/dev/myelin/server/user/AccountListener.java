package dev.myelin.server.user;

/**
 * Told about account lifecycle events after they are committed. The rooms feature registers one to make a
 * deactivated user leave their rooms; the profile feature to clear an erased user's profile.
 */
public interface AccountListener {
    /**
     * @param erase whether the user asked for their data to be erased (spec: POST /account/deactivate "erase")
     */
    void onDeactivated(String userId, boolean erase);
}
