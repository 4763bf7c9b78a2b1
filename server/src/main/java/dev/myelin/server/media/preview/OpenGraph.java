package dev.myelin.server.media.preview;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Extracts OpenGraph data from HTML with jsoup: every {@code og:*} meta property (first value wins), with the page
 * title, meta description and first image as fallbacks for {@code og:title}, {@code og:description} and
 * {@code og:image}. Relative URLs are made absolute against the page's URL.
 */
public final class OpenGraph {
    private static final int MAX_KEYS = 50;
    private static final int MAX_VALUE = 2000;

    private OpenGraph() {
    }

    public static Map<String, String> parse(InputStream html, Optional<String> charset, String baseUri)
            throws IOException {
        Document document = Jsoup.parse(html, charset.orElse(null), baseUri);
        var og = new LinkedHashMap<String, String>();
        for (Element meta : document.select("meta[property^=og:], meta[name^=og:]")) {
            String key = meta.hasAttr("property") ? meta.attr("property") : meta.attr("name");
            String value = meta.attr("content");
            if (og.size() < MAX_KEYS && !value.isBlank() && key.length() <= 100) {
                og.putIfAbsent(key.trim(), clip(value.trim()));
            }
        }
        if (!og.containsKey("og:title")) {
            String title = document.title();
            if (title.isBlank()) {
                Element h1 = document.selectFirst("h1");
                title = h1 == null ? "" : h1.text();
            }
            if (!title.isBlank()) {
                og.put("og:title", clip(title.trim()));
            }
        }
        if (!og.containsKey("og:description")) {
            Element description = document.selectFirst("meta[name=description]");
            if (description != null && !description.attr("content").isBlank()) {
                og.put("og:description", clip(description.attr("content").trim()));
            }
        }
        if (og.containsKey("og:image")) {
            og.put("og:image", absolute(document, og.get("og:image")));
        } else {
            Element image = document.selectFirst("meta[itemprop=image][content], img[src]");
            if (image != null) {
                String url = image.hasAttr("content") ? image.absUrl("content") : image.absUrl("src");
                if (!url.isEmpty()) {
                    og.put("og:image", url);
                }
            }
        }
        return og;
    }

    private static String absolute(Document document, String url) {
        try {
            return java.net.URI.create(document.location()).resolve(url).toString();
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    private static String clip(String value) {
        return value.length() <= MAX_VALUE ? value : value.substring(0, MAX_VALUE) + "…";
    }
}
