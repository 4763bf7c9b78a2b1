package dev.myelin.server.media;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ContentDispositionTest {
    @Test
    void inlineOnlyForSafeTypes() {
        assertThat(ContentDisposition.forMedia("image/png", Optional.of("a.png"))).isEqualTo("inline; filename=\"a.png\"");
        assertThat(ContentDisposition.forMedia("text/plain; charset=utf-8", Optional.empty())).isEqualTo("inline");
        assertThat(ContentDisposition.forMedia("image/svg+xml", Optional.of("a.svg"))).startsWith("attachment");
        assertThat(ContentDisposition.forMedia("text/html", Optional.empty())).isEqualTo("attachment");
        assertThat(ContentDisposition.forMedia("application/octet-stream", Optional.empty())).isEqualTo("attachment");
    }

    @Test
    void fileNamesAreEncodedPerRfc5987() {
        assertThat(ContentDisposition.header("inline", Optional.of("naïve résumé.pdf")))
                .isEqualTo("inline; filename*=utf-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf");
        assertThat(ContentDisposition.header("inline", Optional.of("a\"b.txt")))
                .isEqualTo("inline; filename*=utf-8''a%22b.txt");
        assertThat(ContentDisposition.header("inline", Optional.of("100%.txt")))
                .isEqualTo("inline; filename*=utf-8''100%25.txt");
        assertThat(ContentDisposition.header("attachment", Optional.of("line\r\nbreak")))
                .isEqualTo("attachment; filename*=utf-8''line%0D%0Abreak");
    }

    @Test
    void contentTypesAreCleaned() {
        assertThat(ContentTypes.clean(Optional.of("Image/PNG"))).isEqualTo("image/png");
        assertThat(ContentTypes.clean(Optional.of("text/plain; charset=utf-8"))).isEqualTo("text/plain; charset=utf-8");
        assertThat(ContentTypes.clean(Optional.of("text/plain\r\nX-Evil: 1"))).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.clean(Optional.of("nonsense"))).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.clean(Optional.empty())).isEqualTo("application/octet-stream");
    }
}
