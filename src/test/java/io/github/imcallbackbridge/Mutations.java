package io.github.imcallbackbridge;

import java.util.Random;

/** Random damage to a valid callback body, for the fuzz test: one to three edits per body. */
final class Mutations {

    private static final String[] FRAGMENTS = {
        "\"", "{", "}", "[", "]", ",", ":", "null", "true", "0", "-1", "1e999", "\\", "\\u0000", "\\ud800",
        "\u0000", "\u0007", "\n", "\u00e9", "\u8bdd", "\ud83d\ude00", "'; DROP TABLE im_callback; --", "<script>",
        "@TOPIC#_", "@TGS#_", "\"TopicIdList\":[]", "\"GroupId\":7", "\"TopicIdList\":\"x\"", "{}", "[]",
        "\"CallbackCommand\":\"Group.CallbackAfterGroupDestroyed\"", "x".repeat(120),
    };

    private Mutations() {
    }

    static String mutate(String body, Random random) {
        String mutated = body;
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && !mutated.isEmpty(); i++) {
            int at = random.nextInt(mutated.length());
            int end = Math.min(mutated.length(), at + 1 + random.nextInt(12));
            mutated = switch (random.nextInt(7)) {
                case 0 -> mutated.substring(0, at) + (char) random.nextInt(0x80) + mutated.substring(at + 1); // replace a char
                case 1 -> mutated.substring(0, at) + mutated.substring(end); // delete a span
                case 2 -> mutated.substring(0, at) + FRAGMENTS[random.nextInt(FRAGMENTS.length)] + mutated.substring(at);
                case 3 -> mutated.substring(0, end) + mutated.substring(at, end) + mutated.substring(end); // repeat a span
                case 4 -> mutated.substring(0, at); // truncate
                case 5 -> mutated.replaceFirst("TestTopic(_1)?", FRAGMENTS[random.nextInt(FRAGMENTS.length)]
                        .replace("\\", "\\\\").replace("$", "\\$"));
                default -> mutated.replace("TestTopic", "T" + Integer.toHexString(random.nextInt()));
            };
        }
        return mutated;
    }
}
