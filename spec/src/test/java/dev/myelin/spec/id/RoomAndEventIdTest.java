package dev.myelin.spec.id;

import dev.myelin.spec.event.RoomVersion.EventFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomAndEventIdTest {
    private static final String URL_SAFE_HASH = "31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM";
    private static final String STANDARD_HASH = "CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgr/6o";

    @Test
    void parsesClassicRoomIds() {
        RoomId id = RoomId.parse("!OGEhHVWSdvArJzumhm:matrix.org");
        assertThat(id).isInstanceOf(RoomId.Classic.class);
        assertThat(id.domain()).contains(ServerName.parse("matrix.org"));
        assertThat(id.toString()).isEqualTo("!OGEhHVWSdvArJzumhm:matrix.org");
    }

    @Test
    void parsesVersion12RoomIds() {
        RoomId id = RoomId.parse("!" + URL_SAFE_HASH);
        assertThat(id).isEqualTo(new RoomId.Hashed(URL_SAFE_HASH));
        assertThat(id.domain()).isEmpty();
        assertThat(((RoomId.Hashed) id).createEventId()).isEqualTo(EventId.parse("$" + URL_SAFE_HASH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"OGEh:matrix.org", "!", "!abc", "!" + STANDARD_HASH, "!" + URL_SAFE_HASH + "A",
            "!a:bad server", "!a\u0000:matrix.org"})
    void rejectsInvalidRoomIds(String text) {
        assertThatThrownBy(() -> RoomId.parse(text)).isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void acceptsEmptyLocalpartsFromOtherServersAsTheGrammarAllows() {
        assertThat(RoomId.parse("!:matrix.org")).isEqualTo(new RoomId.Classic("", ServerName.parse("matrix.org")));
        assertThat(EventId.parse("$:example.com").server()).contains(ServerName.parse("example.com"));
    }

    @Test
    void parsesRoomAliases() {
        RoomAlias alias = RoomAlias.parse("#Caf\u00e9 talk:example.org");
        assertThat(alias.localpart()).isEqualTo("Caf\u00e9 talk");
        assertThat(alias.server().host()).isEqualTo("example.org");
        assertThatThrownBy(() -> RoomAlias.parse("#a")).isInstanceOf(InvalidIdentifierException.class);
        assertThatThrownBy(() -> RoomAlias.parse("!a:b")).isInstanceOf(InvalidIdentifierException.class);
        assertThatThrownBy(() -> RoomAlias.parse("#" + "a".repeat(250) + ":b.org"))
                .isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void eventIdFormatsFollowTheRoomVersion() {
        EventId v1 = EventId.parse("$a4ecee13e2accdadf56c1025:example.com");
        EventId v3 = EventId.parse("$" + STANDARD_HASH);
        EventId v4 = EventId.parse("$" + URL_SAFE_HASH);
        assertThat(v1.matches(EventFormat.V1_SERVER_GENERATED)).isTrue();
        assertThat(v1.server()).isEqualTo(Optional.of(ServerName.parse("example.com")));
        assertThat(v1.matches(EventFormat.V3_REFERENCE_HASH)).isFalse();
        assertThat(v3.matches(EventFormat.V3_REFERENCE_HASH)).isTrue();
        assertThat(v3.matches(EventFormat.V4_URL_SAFE_REFERENCE_HASH)).isFalse();
        assertThat(v4.matches(EventFormat.V4_URL_SAFE_REFERENCE_HASH)).isTrue();
        assertThat(v4.matches(EventFormat.V3_REFERENCE_HASH)).isFalse();
        assertThat(v4.server()).isEmpty();
        assertThatThrownBy(() -> EventId.parse("$" + URL_SAFE_HASH, EventFormat.V3_REFERENCE_HASH))
                .isInstanceOf(InvalidIdentifierException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc:example.com", "$", "$short", "$a:", "$" + URL_SAFE_HASH + "==",
            "$a+b/c", "$a:exa mple"})
    void rejectsInvalidEventIds(String text) {
        assertThatThrownBy(() -> EventId.parse(text)).isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void opaqueIdsUseTheUnreservedCharacters() {
        assertThat(OpaqueId.isValid("m1234.5_6-7~")).isTrue();
        assertThat(OpaqueId.isValid("a".repeat(255))).isTrue();
        assertThat(OpaqueId.isValid("a".repeat(256))).isFalse();
        assertThat(OpaqueId.isValid("")).isFalse();
        assertThat(OpaqueId.isValid("a/b")).isFalse();
        assertThat(OpaqueId.isValid("a b")).isFalse();
        assertThatThrownBy(() -> OpaqueId.parse("a:b")).isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void deviceIdsAreOpaqueButPrintable() {
        assertThat(DeviceId.parse("ABCDEFGHIJ").value()).isEqualTo("ABCDEFGHIJ");
        assertThat(DeviceId.parse("my phone \uD83D\uDCF1").value()).isEqualTo("my phone \uD83D\uDCF1");
        assertThatThrownBy(() -> DeviceId.parse("")).isInstanceOf(InvalidIdentifierException.class);
        assertThatThrownBy(() -> DeviceId.parse("a\nb")).isInstanceOf(InvalidIdentifierException.class);
        assertThatThrownBy(() -> DeviceId.parse("x".repeat(256))).isInstanceOf(InvalidIdentifierException.class);
    }
}
