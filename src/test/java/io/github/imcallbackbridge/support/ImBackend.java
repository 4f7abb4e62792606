package io.github.imcallbackbridge.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Plays the Tencent Cloud IM backend: POSTs callbacks over real HTTP to the running bridge, with the
 * query parameters the IM backend appends to the callback URL.
 */
public final class ImBackend {

    public static final String SDK_APP_ID = "1400123456";
    public static final String TOPIC_DESTROYED = "Group.CallbackAfterTopicDestroyed";
    public static final String GROUP_DESTROYED = "Group.CallbackAfterGroupDestroyed";
    public static final String OK_REPLY = "{\"ActionStatus\":\"OK\",\"ErrorInfo\":\"\",\"ErrorCode\":0}";

    /** The specification's example body, as the real (comment-free) JSON the IM backend sends. */
    public static final String SEED_CALLBACK = """
            {
                "CallbackCommand": "Group.CallbackAfterTopicDestroyed",
                "GroupId": "@TGS#_@TGS#cQVLVHIM62CJ",
                "Type": "Community",
                "TopicIdList":[
                   "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                   "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1"
                ]
            }""";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    public ImBackend(int port) {
        this(port, null);
    }

    /** An IM backend with callback authentication on: every callback carries RequestTime and Sign. */
    public ImBackend(int port, String token) {
        this.baseUrl = "http://127.0.0.1:" + port;
        this.token = token;
    }

    /** The query the IM backend sends for {@code command}, signed when a token is set. */
    public Map<String, String> query(String command) {
        return signed(standardQuery(command), token);
    }

    /** {@code query} with RequestTime and Sign added when {@code token} is not null. */
    private static Map<String, String> signed(Map<String, String> query, String token) {
        if (token != null) {
            String requestTime = String.valueOf(System.currentTimeMillis() / 1000);
            query.put("RequestTime", requestTime);
            query.put("Sign", sign(token, requestTime));
        }
        return query;
    }

    /** Tencent's scheme, computed independently of the application's code. */
    public static String sign(String token, String requestTime) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((token + requestTime).getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The query parameters the IM backend appends for {@code command}. */
    public static Map<String, String> standardQuery(String command) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("SdkAppid", SDK_APP_ID);
        query.put("CallbackCommand", command);
        query.put("contenttype", "json");
        query.put("ClientIP", "203.0.113.7");
        query.put("OptPlatform", "RESTAPI");
        return query;
    }

    /** A callback of another app ({@code sdkAppId}), signed with {@code token} when it is not null. */
    public HttpResponse<String> callbackOf(String sdkAppId, String token, String command, String body) {
        Map<String, String> query = standardQuery(command);
        query.put("SdkAppid", sdkAppId);
        return post("/im/callback?" + encode(signed(query, token)), body, Map.of("Content-Type", "application/json"));
    }

    public HttpResponse<String> callback(String command, String body) {
        return post("/im/callback?" + encode(query(command)), body, Map.of("Content-Type", "application/json"));
    }

    public HttpResponse<String> post(String pathAndQuery, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return send(request.build());
    }

    public HttpResponse<String> send(String method, String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String encode(Map<String, String> query) {
        StringJoiner joined = new StringJoiner("&");
        query.forEach((k, v) -> joined.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return joined.toString();
    }

    /** A TCP port nothing listens on right now, for an application started on a known port. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A topic callback body for {@code groupId} naming the given topic ID suffixes. */
    public static String topicCallback(String groupId, String... suffixes) {
        StringJoiner topics = new StringJoiner(",", "[", "]");
        for (String suffix : suffixes) {
            topics.add("\"" + groupId + "@TOPIC#_" + suffix + "\"");
        }
        return "{\"CallbackCommand\":\"" + TOPIC_DESTROYED + "\",\"GroupId\":\"" + groupId
                + "\",\"Type\":\"Community\",\"TopicIdList\":" + topics + "}";
    }
}
