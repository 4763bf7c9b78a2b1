package dev.myelin.server.federation.acl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The evaluation order of m.room.server_acl (spec: m.room.server_acl description, steps 2 to 5). */
class ServerAclTest {

    private static ServerAcl acl(String content) throws Exception {
        JsonNode json = Json.MAPPER.readTree(content);
        return ServerAcl.of(json);
    }

    @Test
    void denyWinsOverAllowAndPortsAreNotConsidered() throws Exception {
        ServerAcl acl = acl("{\"allow\":[\"*\"],\"deny\":[\"evil.com\",\"*.evil.com\"]}");
        assertThat(acl.allows("evil.com")).isFalse();
        assertThat(acl.allows("evil.com:8448")).isFalse();
        assertThat(acl.allows("evil.com:1234")).isFalse();
        assertThat(acl.allows("matrix.evil.com")).isFalse();
        assertThat(acl.allows("notevil.com")).isTrue();
        assertThat(acl.allows("good.org:8448")).isTrue();
    }

    @Test
    void globsAreCaseInsensitiveAndWhole() throws Exception {
        ServerAcl acl = acl("{\"allow\":[\"*.example.org\",\"ex?mple.com\"]}");
        assertThat(acl.allows("Matrix.EXAMPLE.org")).isTrue();
        assertThat(acl.allows("example.org")).isFalse();
        assertThat(acl.allows("exAmple.com:443")).isTrue();
        assertThat(acl.allows("exaample.com")).isFalse();
        assertThat(acl.allows("example.org.evil.com")).isFalse();
    }

    @Test
    void aMissingAllowListDeniesEveryServer() throws Exception {
        assertThat(acl("{}").allows("example.org")).isFalse();
        assertThat(acl("{\"allow\":\"*\",\"deny\":[]}").allows("example.org")).isFalse();
    }

    @Test
    void ipLiteralsAreDeniedOnlyWhenAllowIpLiteralsIsFalse() throws Exception {
        ServerAcl strict = acl("{\"allow\":[\"*\"],\"allow_ip_literals\":false}");
        assertThat(strict.allows("1.2.3.4")).isFalse();
        assertThat(strict.allows("1.2.3.4:8448")).isFalse();
        assertThat(strict.allows("[1234:5678::abcd]")).isFalse();
        assertThat(strict.allows("[::1]:8448")).isFalse();
        assertThat(strict.allows("1.2.3.4.example.org")).isTrue();

        assertThat(acl("{\"allow\":[\"*\"]}").allows("1.2.3.4")).isTrue();
        // Not a boolean: the default, true.
        assertThat(acl("{\"allow\":[\"*\"],\"allow_ip_literals\":\"no\"}").allows("[::1]")).isTrue();
        assertThat(acl("{\"allow\":[\"1.2.3.*\"],\"deny\":[\"[::1]\"]}").allows("1.2.3.4:80")).isTrue();
        assertThat(acl("{\"allow\":[\"*\"],\"deny\":[\"[::1]\"]}").allows("[::1]:8448")).isFalse();
    }
}
