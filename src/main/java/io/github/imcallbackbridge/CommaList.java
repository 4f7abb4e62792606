package io.github.imcallbackbridge;

import java.util.Arrays;
import java.util.List;

/** A setting that lists values separated by commas ("a, b,,c"): the values, trimmed, empty ones dropped. */
public final class CommaList {

    private CommaList() {
    }

    public static List<String> of(String text) {
        return text == null ? List.of()
                : Arrays.stream(text.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }
}
