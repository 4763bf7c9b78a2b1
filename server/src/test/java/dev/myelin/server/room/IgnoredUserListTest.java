package dev.myelin.server.room;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class IgnoredUserListTest {
    private static IgnoredUsers of(Map<String, String> contents) {
        return new IgnoredUserList(user -> Optional.ofNullable(contents.get(user)));
    }

    @Test
    void theKeysOfIgnoredUsers() {
        IgnoredUsers ignored = of(Map.of("@a:x", "{\"ignored_users\":{\"@b:x\":{},\"@c:y\":{},\"@a:x\":{}}}"));
        assertThat(ignored.ignoredBy("@a:x")).containsExactlyInAnyOrder("@b:x", "@c:y");
        assertThat(ignored.ignoredBy("@b:x")).isEmpty();
    }

    @Test
    void malformedContentIgnoresNobody() {
        assertThat(of(Map.of("@a:x", "{\"ignored_users\":[\"@b:x\"]}")).ignoredBy("@a:x")).isEmpty();
        assertThat(of(Map.of("@a:x", "{}")).ignoredBy("@a:x")).isEmpty();
        assertThat(of(Map.of("@a:x", "{nope")).ignoredBy("@a:x")).isEmpty();
        assertThat(of(Map.of("@a:x", "{\"ignored_users\":{\"not-a-user\":{}}}")).ignoredBy("@a:x")).isEmpty();
    }
}
