package dev.myelin.server.storage;

import dev.myelin.server.storage.MediaStore.Content;
import dev.myelin.server.storage.MediaStore.FillResult;
import dev.myelin.server.storage.MediaStore.Kind;
import dev.myelin.server.storage.sql.SqlMediaStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class MediaStoreTest extends StoreContractTest {
    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);
    MediaStore store;

    @BeforeEach
    void store() {
        store = new SqlMediaStore(database);
    }

    static Content content(String sha, long size) {
        return new Content(Optional.of("image/png"), Optional.of("a.png"), sha, size, Optional.of(10), Optional.empty());
    }

    @Test
    void uploadedMediaRoundTripsAndCountsTowardsTheQuota() {
        assertThat(store.insertUploaded("hs", "m1", Optional.of("@u:hs"), Kind.UPLOAD, content(SHA_A, 100), 1000, 0))
                .isTrue();
        var media = store.find("hs", "m1").orElseThrow();
        assertThat(media.uploaded()).isTrue();
        assertThat(media.sha256()).hasValue(SHA_A);
        assertThat(media.contentType()).hasValue("image/png");
        assertThat(media.uploadName()).hasValue("a.png");
        assertThat(media.width()).hasValue(10);
        assertThat(media.height()).isEmpty();
        assertThat(media.createdTs()).isEqualTo(1000);
        assertThat(media.kind()).isEqualTo(Kind.UPLOAD);
        assertThat(store.usedBytes("@u:hs")).isEqualTo(100);
        // Over quota: nothing written.
        assertThat(store.insertUploaded("hs", "m2", Optional.of("@u:hs"), Kind.UPLOAD, content(SHA_B, 50), 1000, 120))
                .isFalse();
        assertThat(store.find("hs", "m2")).isEmpty();
        // Preview images do not count.
        assertThat(store.insertUploaded("hs", "m3", Optional.of("@u:hs"), Kind.PREVIEW, content(SHA_B, 50), 1000, 120))
                .isTrue();
        assertThat(store.usedBytes("@u:hs")).isEqualTo(100);
        assertThat(store.referenced(SHA_A)).isTrue();
        assertThat(store.referenced("c".repeat(64))).isFalse();
    }

    @Test
    void pendingIdsAreLimitedFilledOnceAndExpire() {
        assertThat(store.createPending("hs", "p1", "@u:hs", 1000, 5000, 2)).isEmpty();
        assertThat(store.createPending("hs", "p2", "@u:hs", 1100, 6000, 2)).isEmpty();
        assertThat(store.createPending("hs", "p3", "@u:hs", 1200, 7000, 2)).hasValue(5000L);
        assertThat(store.createPending("hs", "p4", "@other:hs", 1200, 7000, 2)).isEmpty();

        assertThat(store.fillPending("hs", "p1", "@other:hs", content(SHA_A, 10), 2000, 0)).isEqualTo(FillResult.NOT_CREATOR);
        assertThat(store.fillPending("hs", "nope", "@u:hs", content(SHA_A, 10), 2000, 0)).isEqualTo(FillResult.NOT_FOUND);
        assertThat(store.fillPending("hs", "p1", "@u:hs", content(SHA_A, 10), 2000, 5)).isEqualTo(FillResult.QUOTA_EXCEEDED);
        assertThat(store.fillPending("hs", "p1", "@u:hs", content(SHA_A, 10), 2000, 0)).isEqualTo(FillResult.OK);
        assertThat(store.fillPending("hs", "p1", "@u:hs", content(SHA_B, 10), 2100, 0)).isEqualTo(FillResult.ALREADY_UPLOADED);
        assertThat(store.find("hs", "p1").orElseThrow().sha256()).hasValue(SHA_A);
        assertThat(store.find("hs", "p1").orElseThrow().unusedExpiresTs()).isEmpty();
        // Expired: cannot be filled, and the clean-up deletes it.
        assertThat(store.fillPending("hs", "p2", "@u:hs", content(SHA_A, 10), 6000, 0)).isEqualTo(FillResult.NOT_FOUND);
        assertThat(store.deletePendingExpired(6500)).isEqualTo(1);
        assertThat(store.find("hs", "p2")).isEmpty();
        assertThat(store.find("hs", "p1")).isPresent();
    }

    @Test
    void retentionDeletesByLastAccessAndSeparatesLocalFromRemote() {
        store.insertUploaded("hs", "old", Optional.of("@u:hs"), Kind.UPLOAD, content(SHA_A, 1), 1000, 0);
        store.insertUploaded("hs", "new", Optional.of("@u:hs"), Kind.UPLOAD, content(SHA_A, 1), 9_000_000, 0);
        store.insertUploaded("remote.org", "r", Optional.empty(), Kind.UPLOAD, content(SHA_B, 1), 1000, 0);
        store.insertUploaded("hs", "touched", Optional.of("@u:hs"), Kind.UPLOAD, content(SHA_B, 1), 1000, 0);
        store.touch("hs", "touched", 9_000_000);
        assertThat(store.deleteNotAccessedSince("hs", true, 5_000_000, 100)).containsExactly(SHA_A);
        assertThat(store.find("hs", "old")).isEmpty();
        assertThat(store.find("hs", "new")).isPresent();
        assertThat(store.find("hs", "touched")).isPresent();
        assertThat(store.find("remote.org", "r")).isPresent();
        assertThat(store.deleteNotAccessedSince("hs", false, 5_000_000, 100)).containsExactly(SHA_B);
        assertThat(store.referenced(SHA_A)).isTrue();
    }

    @Test
    void thumbnailsAndPreviews() {
        var thumbnail = new MediaStore.Thumbnail(SHA_A, 96, 96, "crop", "image/jpeg", 1234);
        store.insertThumbnail(thumbnail, 1);
        store.insertThumbnail(new MediaStore.Thumbnail(SHA_A, 96, 96, "crop", "image/jpeg", 999), 2);
        assertThat(store.findThumbnail(SHA_A, 96, 96, "crop", "image/jpeg")).hasValue(thumbnail);
        assertThat(store.thumbnails(SHA_A)).containsExactly(thumbnail);
        assertThat(store.deleteThumbnails(SHA_A)).containsExactly(thumbnail);
        assertThat(store.thumbnails(SHA_A)).isEmpty();

        store.putPreview(new MediaStore.CachedPreview("https://a", "{\"og:title\":\"A\"}", 10, 100));
        assertThat(store.findPreview("https://a", 50)).hasValueSatisfying(p -> assertThat(p.json()).contains("A"));
        assertThat(store.findPreview("https://a", 100)).isEmpty();
        store.putPreview(new MediaStore.CachedPreview("https://a", "{\"og:title\":\"B\"}", 110, 300));
        assertThat(store.findPreview("https://a", 200).orElseThrow().json()).contains("B");
        assertThat(store.deleteExpiredPreviews(300)).isEqualTo(1);
    }
}
