package io.github.imcallbackbridge.callback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What makes a forwarded callback the same event as an earlier one, so that a repeat (the IM console can turn
 * on retries of after-callbacks on timeout) is recorded and forwarded once. The protocol's natural keys, per
 * command (docs/callbacks.md lists them); a command without one but with an {@code EventTime} is keyed by its
 * whole body (the same body at the same millisecond is the same event); a command with neither has no key and
 * every arrival is forwarded. The key is the SHA-256 (hex) of the app, the command and those fields.
 */
public final class CallbackDedupeKey {

    /** The body fields that identify one event of each command that has a natural key. */
    static final Map<String, List<String>> NATURAL_KEYS = Map.ofEntries(
            Map.entry("C2C.CallbackBeforeSendMsg", List.of("MsgKey")),
            Map.entry("C2C.CallbackAfterSendMsg", List.of("MsgKey")),
            Map.entry("C2C.CallbackAfterMsgWithDraw", List.of("MsgKey")),
            Map.entry("C2C.CallbackAfterC2CMsgExtension", List.of("MsgKey", "Seq")),
            Map.entry("C2C.CallbackAfterModifyMsg", List.of("MsgKey", "EventTime")),
            Map.entry("Group.CallbackAfterCreateGroup", List.of("GroupId")),
            Map.entry("Group.CallbackAfterSendMsg", List.of("GroupId", "TopicId", "MsgSeq")),
            Map.entry("Group.CallbackAfterRecallMsg", List.of("GroupId", "TopicId", "MsgSeqList")),
            Map.entry("Group.CallbackAfterCreateTopic", List.of("TopicId")),
            Map.entry("Group.CallbackAfterGroupMsgExtension", List.of("GroupId", "MsgSeq", "Seq")),
            Map.entry("ContentCallback.ResultNotify", List.of("CtxcbRequestId")),
            Map.entry("Bot.OnC2CMessage", List.of("MsgKey")),
            Map.entry("Bot.OnGroupMessage", List.of("GroupId", "MsgSeq")));

    private CallbackDedupeKey() {
    }

    /** The key of this callback, or null when its command has none (every arrival is then a new event). */
    static String of(String sdkAppId, String command, JsonNode body, String rawBody) {
        List<String> fields = NATURAL_KEYS.get(command);
        StringBuilder key = new StringBuilder(sdkAppId).append('\n').append(command);
        if (fields != null) {
            boolean any = false;
            for (String field : fields) {
                JsonNode value = body.get(field);
                any |= value != null && !value.isNull();
                key.append('\n').append(value == null || value.isNull() ? "" : value.toString());
            }
            if (!any) {
                return null;
            }
        } else if (body.hasNonNull("EventTime")) {
            key.append('\n').append(rawBody);
        } else {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
