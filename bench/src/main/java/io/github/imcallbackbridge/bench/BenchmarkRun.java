package io.github.imcallbackbridge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark behind {@code bench/run.sh}: the bridge's jar on PostgreSQL beside the hand-written yardstick,
 * load from wrk (throughput; latencies at a fixed rate with bench/fixed-rate.lua) and from this class (the
 * topic-count curve, delivery), everything on 127.0.0.1 and bounded in time. Prints one table and writes
 * {@code bench/results/results.md} and {@code bench/results/bench.png}.
 * <p>
 * System properties: {@code bench.seconds} (length of each wrk run, default 10), {@code bench.root} (the
 * project folder, default the working directory), {@code bench.cases} (which parts to run, comma-separated:
 * {@code ingest}, {@code delivery}, {@code memory}, or {@code latency}: the ingest part's latency rows without the
 * yardstick; default all; a part alone writes
 * {@code bench/results/results-<parts>.md} and leaves the full results and the plot as they are).
 */
public final class BenchmarkRun {

    static final Path ROOT = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    /** Fixed-rate runs per target state (healthy, slow, refusing), taken in turn: an odd number, for a median. */
    static final int LATENCY_ROUNDS = oddAtLeastOne(Integer.getInteger("bench.latency-rounds", 3));
    /** Throughput rounds per case, bridge and yardstick alternately: this host's speed moves by a third between runs. */
    static final int ROUNDS = Integer.getInteger("bench.rounds", 4);
    static final String APP_ID = "1400000000";
    static final int BRIDGE_PORT = 18080;
    static final int YARDSTICK_PORT = 18090;
    static final List<String> ALL_CASES = List.of("ingest", "delivery", "memory");

    final List<String[]> table = new ArrayList<>();
    final List<String> warmUps = new ArrayList<>();
    final Map<String, double[]> throughput = new LinkedHashMap<>();
    final Map<String, double[]> p99 = new LinkedHashMap<>();
    final Map<Integer, double[]> curve = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        new BenchmarkRun().run();
        System.exit(0); // the HTTP clients' and the target's threads would keep the JVM up
    }

    void run() throws Exception {
        Files.createDirectories(ROOT.resolve("bench/results"));
        String machine = machine();
        List<String> cases = List.of(System.getProperty("bench.cases", String.join(",", ALL_CASES)).split(","));
        try (Postgres pg = Postgres.start(); Target target = new Target()) {
            pg.createDatabases("bridge", "yardstick", "delivery", "small");
            if (cases.contains("ingest")) {
                ingest(pg, target);
            }
            if (cases.contains("latency") && !cases.contains("ingest")) {
                latencyOnly(pg, target);
            }
            if (cases.contains("delivery")) {
                delivery(pg, target);
            }
            if (cases.contains("memory")) {
                memory(pg, target);
            }
        }
        String report = report(machine);
        if (cases.containsAll(ALL_CASES)) {
            Files.writeString(ROOT.resolve("bench/results/results.md"), report);
            Plot.write(ROOT.resolve("bench/results/bench.png"), throughput, p99, curve);
        } else { // a part of the benchmark never replaces the full results README shows
            Files.writeString(ROOT.resolve("bench/results/results-" + String.join("-", cases) + ".md"), report);
        }
        System.out.println(report);
    }

    // --- ingest: throughput, topic curve, latency with a target in trouble, delivery keeping up ---------------

    void ingest(Postgres pg, Target target) throws Exception {
        String url = target.url("ingest");
        try (App bridge = App.bridge(pg.url("bridge"), BRIDGE_PORT, url, List.of());
             App yardstick = App.yardstick(pg.url("yardstick"), YARDSTICK_PORT, url)) {
            Map<String, Wrk.Result> ours = compare(pg, bridge, yardstick);
            latencies(pg, target, bridge, yardstick, ours.get("1-topic callback").rps);
        }
    }

    /** The bridge beside the yardstick: throughput case by case, and the topic-count curve. */
    Map<String, Wrk.Result> compare(Postgres pg, App bridge, App yardstick) throws Exception {
        for (App app : List.of(bridge, yardstick)) { // the JIT compiles the paths measured below
            warmUp(pg, app);
        }
        Wrk.constant(bridge, 5);
        drain(pg, "bridge");
        drain(pg, "yardstick");
        Wrk.Result constant = Wrk.constant(bridge, SECONDS);
        row("trivial platform-http route (Camel's own cost)", fmt(constant.rps), "", "", ms(constant.p99), "");
        throughput.put("constant", new double[] {constant.rps, 0});
        p99.put("constant", new double[] {constant.p99, 0});
        Map<String, Wrk.Result> ours = new LinkedHashMap<>();
        Map<String, double[]> withDelivery = new LinkedHashMap<>();
        for (int topics : new int[] {0, 1, 10}) { // ROUNDS rounds, bridge and yardstick alternately: the mean
            String name = topics == 0 ? "reject (403)" : topics + "-topic callback";
            List<Wrk.Result> b = new ArrayList<>();
            List<Wrk.Result> y = new ArrayList<>();
            double[] delivered = new double[2];
            for (int round = 0; round < ROUNDS; round++) {
                b.add(Wrk.run(bridge, topics, topics > 0, SECONDS));
                delivered[0] += untilDelivered(b.get(round), drain(pg, "bridge")) / ROUNDS;
                y.add(Wrk.run(yardstick, topics, topics > 0, SECONDS));
                delivered[1] += untilDelivered(y.get(round), drain(pg, "yardstick")) / ROUNDS;
            }
            Wrk.Result bm = Wrk.mean(b);
            Wrk.Result ym = Wrk.mean(y);
            ours.put(name, bm);
            row(name, fmt(bm.rps) + " (" + rounds(b) + ")", fmt(ym.rps) + " (" + rounds(y) + ")",
                    String.format(Locale.ROOT, "%.2f", bm.rps / ym.rps), ms(bm.p99), ms(ym.p99));
            throughput.put(name, new double[] {bm.rps, ym.rps});
            p99.put(name, new double[] {bm.p99, ym.p99});
            if (topics > 0) {
                withDelivery.put(topics + "-topic callback", delivered);
            }
        }
        withDelivery.forEach((name, rates) -> row(name + ", until every webhook is delivered (callbacks/s)",
                fmt(rates[0]), fmt(rates[1]), String.format(Locale.ROOT, "%.2f", rates[0] / rates[1]), "", ""));
        double reject = ours.get("reject (403)").rps;
        row("ratios within the bridge", "", "", "", "", "");
        row("reject / trivial route", String.format(Locale.ROOT, "%.2f", reject / constant.rps), "", "", "", "");
        row("1-topic / reject", String.format(Locale.ROOT, "%.2f", ours.get("1-topic callback").rps / reject), "", "", "", "");
        row("10-topic / reject", String.format(Locale.ROOT, "%.2f", ours.get("10-topic callback").rps / reject), "", "", "", "");

        for (int topics : new int[] {1, 10, 100, 1000}) {
            int n = topics >= 1000 ? 30 : topics >= 100 ? 100 : 300;
            double[] b = Load.sequential(bridge, topics, n);
            double[] y = Load.sequential(yardstick, topics, n);
            curve.put(topics, new double[] {b[0], b[1], y[0], y[1]});
            row(topics + " topics, one at a time: p50 / p99 (per topic, p50)",
                    ms(b[0]) + " / " + ms(b[1]) + " (" + String.format(Locale.ROOT, "%.3f", b[0] / topics) + ")",
                    ms(y[0]) + " / " + ms(y[1]) + " (" + String.format(Locale.ROOT, "%.3f", y[0] / topics) + ")", "", "", "");
        }
        drain(pg, "bridge");
        drain(pg, "yardstick");
        return ours;
    }

    /** The latency rows of the ingest part alone (bridge only, its warm-up, its 1-topic peak, then {@link #latencies}). */
    void latencyOnly(Postgres pg, Target target) throws Exception {
        try (App bridge = App.bridge(pg.url("bridge"), BRIDGE_PORT, target.url("ingest"), List.of())) {
            warmUp(pg, bridge);
            Wrk.Result peak = Wrk.run(bridge, 1, true, SECONDS);
            drain(pg, "bridge");
            row("1-topic callback", fmt(peak.rps), "", "", ms(peak.p99), "");
            latencies(pg, target, bridge, null, peak.rps);
        }
    }

    /**
     * Reply latency at a fixed rate with the target healthy, slow or refusing (and, with the target healthy, the
     * yardstick's at the same rate, when there is one: what this host allows a durable receiver); delivery keeping up.
     */
    void latencies(Postgres pg, Target target, App bridge, App yardstick, double peak) throws Exception {
        {
            // this host's speed drifts over minutes (the 1-topic rate fell from 676 to 408/s within one run): half
            // of a peak measured minutes ago can be most of the peak now, so the peak is measured again here
            Wrk.Result now = Wrk.run(bridge, 1, true, SECONDS);
            drain(pg, "bridge");
            int half = (int) Math.max(10, now.rps / 2);
            // the reply latencies come from wrk (bench/fixed-rate.lua), not from this JVM, which also plays the target:
            // its collector paused for up to 221 ms and its client's timestamps with it. Not reported: the first
            // fixed-rate run, while the bridge still compiles the path at that rate.
            Wrk.fixedRate(bridge, half, SECONDS);
            drain(pg, "bridge");
            String yardstickHealthy = "";
            if (yardstick != null) { // its first run at this rate warms it up, as the bridge's did
                Wrk.fixedRate(yardstick, half, SECONDS);
                drain(pg, "yardstick");
                Wrk.FixedRate y = Wrk.fixedRate(yardstick, half, SECONDS);
                drain(pg, "yardstick");
                yardstickHealthy = "target healthy: " + ms(y.p50) + " / " + ms(y.p99) + " / " + ms(y.max);
            }
            // one 10-s run's p99 (its 50th-slowest reply of ~5,000) is noisy on this shared host: four runs with the
            // target healthy, taken in turn with refusing ones, gave 5.7, 25.2, 6.6 and 10.5 ms. So each state runs
            // LATENCY_ROUNDS times, in turn with the others (healthy after the backlog is delivered, slow, refusing),
            // compared by its median p99
            List<Wrk.FixedRate> healthy = new ArrayList<>();
            List<Wrk.FixedRate> slow = new ArrayList<>();
            List<Wrk.FixedRate> refused = new ArrayList<>();
            for (int round = 0; round < LATENCY_ROUNDS; round++) {
                drain(pg, "bridge");
                healthy.add(Wrk.fixedRate(bridge, half, SECONDS));
                target.setDelayMillis(3000);
                slow.add(Wrk.fixedRate(bridge, half, SECONDS));
                target.setDelayMillis(0);
                target.close();
                refused.add(Wrk.fixedRate(bridge, half, SECONDS));
                target.reopen();
            }
            Wrk.FixedRate healthyMedian = Wrk.FixedRate.median(healthy);
            row("reply at " + half + "/s (half the 1-topic peak just before, " + fmt(now.rps) + " req/s; "
                    + fmt(peak) + " in the rounds above): p50 / p99 / max, median of " + LATENCY_ROUNDS
                    + " runs taken in turn (p99 of each)", "target healthy: " + replyFigures(healthy, null),
                    yardstickHealthy, "", "", "");
            row("", "target answers in 3 s: " + replyFigures(slow, healthyMedian), "", "", "", "");
            row("", "target refuses connections: " + replyFigures(refused, healthyMedian), "", "", "", "");
            long left = drain(pg, "bridge");
            row("backlog left by the slow/refusing target, delivered after", left + " ms", "", "", "", "");

            String deliveredSql = "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'DELIVERED'";
            long deliveredBefore = pg.count("bridge", deliveredSql);
            long start = System.nanoTime();
            Wrk.Result burst = Wrk.run(bridge, 1, true, 15);
            long loadEnd = System.nanoTime();
            long pendingAtEnd = pg.pending("bridge");
            long emptyAfter = drain(pg, "bridge");
            long delivered = pg.count("bridge", deliveredSql) - deliveredBefore;
            row("1-topic peak for 15 s (" + fmt(burst.rps) + " req/s): backlog at the end / empty after",
                    pendingAtEnd + " / " + emptyAfter + " ms", "", "", "", "");
            row("deliveries during and after the peak", delivered + " in " + ms((System.nanoTime() - start) / 1e6)
                    + " (load " + ms((loadEnd - start) / 1e6) + ")", "", "", "", "");
            // ack → arrival from the bridge's own clock: each delivery's created_at (the callback received, before
            // its reply) to its delivered_at (the target's answer came back), so at least ack → arrival
            long lastBefore = pg.count("bridge", "SELECT COALESCE(MAX(id), 0) FROM webhook_delivery");
            Wrk.FixedRate arrivalLoad = Wrk.fixedRate(bridge, half, SECONDS);
            drain(pg, "bridge");
            double[] delay = pg.deliveryDelays("bridge", lastBefore);
            row("received → delivered (target's answer) at " + half + "/s: p50 / p99 / max",
                    ms(delay[1]) + " / " + ms(delay[2]) + " / " + ms(delay[3])
                            + " (" + (long) delay[0] + " of " + arrivalLoad.sent() + " delivered)", "", "", "", "");
            row("bridge RSS after all of the above (VmHWM peak)", bridge.rss(), "", "", "", "");
        }
    }

    // --- delivery: drain rate of a backlog per target delay ------------------------------------------------

    void delivery(Postgres pg, Target target) throws Exception {
        List<String> settings = new ArrayList<>(List.of("--webhook.targets=d0,d50,d300"));
        for (int delay : new int[] {0, 50, 300}) {
            settings.add("--webhook.target.d" + delay + ".url=" + target.url("d" + delay));
        }
        try (App bridge = App.bridge(pg.url("delivery"), BRIDGE_PORT, target.url("ingest"), settings)) {
            int rounds = 0;
            long compiled;
            long before = bridge.compiles();
            do { // the JIT compiles the delivery path: 5,000 deliveries at a time until it has settled
                pg.insertBacklog("delivery", "d0", 5_000);
                drain(pg, "delivery");
                long now = bridge.compiles();
                compiled = now - before;
                before = now;
                rounds++;
            } while (compiled >= 100 && rounds < 12);
            warmUps.add("bridge for delivery " + rounds + " rounds of 5,000 deliveries (last: " + compiled + " methods compiled)");
            for (int delay : new int[] {0, 50, 300}) {
                int backlog = delay == 0 ? 10_000 : delay == 50 ? 3_000 : 1_000;
                target.resetConcurrency();
                long start = System.nanoTime();
                pg.insertBacklog("delivery", "d" + delay, backlog);
                long ms = drain(pg, "delivery");
                double rate = backlog * 1000.0 / ms;
                row("delivery, target answering in " + delay + " ms: " + backlog + " queued",
                        fmt(rate) + "/s (" + ms + " ms; max " + target.maxConcurrent() + " in flight)", "", "", "", "");
                throughput.put("deliver " + delay + " ms", new double[] {rate, 0});
                if ((System.nanoTime() - start) > TimeUnit.MINUTES.toNanos(3)) {
                    break;
                }
            }
        }
    }

    // --- memory: the same jar with -Xmx256m --------------------------------------------------------------

    void memory(Postgres pg, Target target) throws Exception {
        try (App bridge = App.bridge(pg.url("small"), BRIDGE_PORT, target.url("ingest"), List.of(), "-Xmx256m")) {
            Wrk.run(bridge, 1, true, 10);
            Wrk.run(bridge, 10, true, 10);
            drain(pg, "small");
            Wrk.Result ten = Wrk.run(bridge, 10, true, SECONDS);
            drain(pg, "small");
            double[] thousand = Load.sequential(bridge, 1000, 20);
            drain(pg, "small");
            row("-Xmx256m: 10-topic throughput / 1,000-topic p99 / RSS (VmHWM peak)",
                    fmt(ten.rps) + " req/s / " + ms(thousand[1]) + " / " + bridge.rss(), "", "", "", "");
        }
    }

    /**
     * Callbacks per second counting the time their webhooks took to arrive: a wrk run's callbacks over its length
     * plus the time the outbox took to empty after it (an app that acknowledges fast and delivers later is not
     * done earlier).
     */
    static double untilDelivered(Wrk.Result run, long drainMillis) {
        return run.rps() * SECONDS / (SECONDS + drainMillis / 1000.0);
    }

    /**
     * Load until the app's JIT compiler has settled: rounds of 1-topic, 10-topic and refused callbacks (16 s), until
     * a round compiles fewer than 100 methods (at most 12 rounds). On 2 cores the bridge, with Camel, Spring and
     * Tomcat's code paths, needs minutes of load to reach its steady speed; the yardstick far less. Each app is
     * measured at its steady speed.
     */
    void warmUp(Postgres pg, App app) throws Exception {
        long before = app.compiles();
        int rounds = 0;
        long compiled;
        do {
            Wrk.run(app, 1, true, 8);
            Wrk.run(app, 10, true, 4);
            Wrk.run(app, 0, false, 4);
            drain(pg, app.name);
            long now = app.compiles();
            compiled = now - before;
            before = now;
            rounds++;
        } while (compiled >= 100 && rounds < 12);
        warmUps.add(app.name + " " + rounds + " rounds (last: " + compiled + " methods compiled)");
    }

    /**
     * Waits (at most 90 s) until the database's outbox has nothing pending; answers how long it took. Asks every
     * 20 ms on one connection whether any row is pending (an index look-up): counting them, on a new connection
     * each time, cost the database more than the deliveries it was timing.
     */
    long drain(Postgres pg, String database) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(90);
        try (Connection c = DriverManager.getConnection(pg.url(database), "bench", "");
             PreparedStatement anyPending = c.prepareStatement("SELECT 1 FROM webhook_delivery WHERE status = 'PENDING' LIMIT 1")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet r = anyPending.executeQuery()) {
                    if (!r.next()) {
                        break;
                    }
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    void row(String... cells) {
        table.add(cells);
        System.out.println(String.join(" | ", cells));
    }

    static String rounds(List<Wrk.Result> results) {
        return String.join(", ", results.stream().map(r -> fmt(r.rps)).toList());
    }

    String report(String machine) {
        StringBuilder out = new StringBuilder("# im-callback-bridge benchmark\n\n").append(machine).append("\n\n")
                .append("wrk -t2 -c16 -d").append(SECONDS).append("s per throughput round, ").append(ROUNDS).append(" rounds per case, bridge and yardstick alternately (the mean; each round in brackets), ")
                .append("PostgreSQL on the same machine; reply latencies at a fixed rate from wrk (bench/fixed-rate.lua, open loop, ")
                .append("from each request's planned time), received → delivered from the bridge's own timestamps. Warm-up until the JIT ")
                .append("settled (rounds of load, 16 s of callbacks or 5,000 deliveries, until one compiles fewer than 100 methods): ")
                .append(String.join(", ", warmUps)).append(".\n\n")
                .append("| case | bridge | hand-written yardstick | ratio | bridge p99 | yardstick p99 |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        for (String[] cells : table) {
            out.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        return out.toString();
    }

    static String machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), Java "
                + System.getProperty("java.version") + ", " + Postgres.version() + ", " + Instant.now();
    }

    /**
     * The runs' median p50 / p99 / max, each run's p99 in the order they ran and, given the healthy runs' median,
     * the median p99 against it.
     */
    static String replyFigures(List<Wrk.FixedRate> runs, Wrk.FixedRate healthy) {
        Wrk.FixedRate median = Wrk.FixedRate.median(runs);
        return ms(median.p50()) + " / " + ms(median.p99()) + " / " + ms(median.max()) + " ("
                + String.join(", ", runs.stream().map(run -> ms(run.p99())).toList()) + ")"
                + (healthy == null ? "" : String.format(Locale.ROOT, ", p99 %.2f×", median.p99() / healthy.p99()));
    }

    static int oddAtLeastOne(int rounds) {
        return rounds < 1 ? 1 : rounds % 2 == 0 ? rounds + 1 : rounds;
    }

    static String fmt(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String ms(double millis) {
        return millis >= 100 ? String.format(Locale.ROOT, "%,.0f ms", millis) : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    /** A callback of {@code topics} new topics (0: one topic under a foreign SdkAppid, refused 403). */
    static String callbackBody(String groupId, int topics) {
        StringBuilder body = new StringBuilder("{\"CallbackCommand\":\"Group.CallbackAfterTopicDestroyed\",\"GroupId\":\"")
                .append(groupId).append("\",\"Type\":\"Community\",\"TopicIdList\":[");
        for (int i = 0; i < Math.max(1, topics); i++) {
            body.append(i > 0 ? "," : "").append('"').append(groupId).append("@TOPIC#_t").append(i).append('"');
        }
        return body.append("]}").toString();
    }

    static String callbackPath(boolean accepted) {
        return "/im/callback?SdkAppid=" + (accepted ? APP_ID : "1400000001")
                + "&CallbackCommand=Group.CallbackAfterTopicDestroyed&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI";
    }

    static void await(BooleanSupplier condition, Duration atMost, String what) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    // --- the processes ------------------------------------------------------------------------------------

    /** A throwaway PostgreSQL cluster on 127.0.0.1, durable commits as in production (fsync on). */
    static final class Postgres implements AutoCloseable {
        static final int PORT = 55432;
        final Path dir;
        final String bin;

        private Postgres(Path dir, String bin) {
            this.dir = dir;
            this.bin = bin;
        }

        static String binDir() throws IOException {
            for (String candidate : new String[] {System.getenv("PG_BIN")}) {
                if (candidate != null && Files.isExecutable(Path.of(candidate, "pg_ctl"))) {
                    return candidate;
                }
            }
            try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
                return versions.sorted((a, b) -> Integer.compare(Integer.parseInt(b.getFileName().toString()),
                        Integer.parseInt(a.getFileName().toString()))).map(v -> v.resolve("bin").toString())
                        .filter(b -> Files.isExecutable(Path.of(b, "pg_ctl"))).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)"));
            }
        }

        static String version() {
            try {
                return "PostgreSQL " + Path.of(binDir()).getParent().getFileName();
            } catch (IOException | RuntimeException e) {
                return "PostgreSQL ?";
            }
        }

        static Postgres start() throws Exception {
            Path dir = Files.createTempDirectory("im-bench-pg");
            Postgres pg = new Postgres(dir, binDir());
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                exec(List.of("chown", "-R", "postgres", dir.toString()));
            }
            pg.asOwner(root, pg.bin + "/initdb -D " + dir.resolve("data") + " -U bench --auth=trust -E UTF8 >/dev/null");
            pg.asOwner(root, pg.bin + "/pg_ctl -D " + dir.resolve("data") + " -w -l " + dir.resolve("log")
                    + " -o '-p " + PORT + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200' start >/dev/null");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (Exception ignored) {
                    // stopped already
                }
            }));
            return pg;
        }

        void asOwner(boolean root, String command) throws Exception {
            exec(root ? List.of("runuser", "-u", "postgres", "--", "sh", "-c", command) : List.of("sh", "-c", command));
        }

        void createDatabases(String... names) throws SQLException {
            try (Connection c = DriverManager.getConnection(url("postgres"), "bench", ""); Statement s = c.createStatement()) {
                for (String name : names) {
                    s.execute("CREATE DATABASE " + name);
                }
            }
        }

        String url(String database) {
            return "jdbc:postgresql://127.0.0.1:" + PORT + "/" + database;
        }

        long pending(String database) throws SQLException {
            return count(database, "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'PENDING'");
        }

        /** Deliveries after {@code afterId}: how many are delivered, and p50, p99, max of delivered_at - created_at (ms). */
        double[] deliveryDelays(String database, long afterId) throws SQLException {
            return firstRow(database, "SELECT COUNT(*),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY delay), percentile_cont(0.99) WITHIN GROUP (ORDER BY delay),"
                    + " MAX(delay) FROM (SELECT EXTRACT(EPOCH FROM delivered_at - created_at) * 1000 AS delay"
                    + " FROM webhook_delivery WHERE id > ? AND status = 'DELIVERED') d", afterId);
        }

        long count(String database, String sql, Object... parameters) throws SQLException {
            try {
                return (long) firstRow(database, sql, parameters)[0];
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState())) {
                    return 0; // table not created yet
                }
                throw e;
            }
        }

        /** The first row of a query's numeric columns. */
        double[] firstRow(String database, String sql, Object... parameters) throws SQLException {
            try (Connection c = DriverManager.getConnection(url(database), "bench", "");
                 PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    s.setObject(i + 1, parameters[i] instanceof Instant t ? Timestamp.from(t) : parameters[i]);
                }
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    double[] row = new double[r.getMetaData().getColumnCount()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = r.getDouble(i + 1);
                    }
                    return row;
                }
            }
        }

        /** {@code n} due deliveries for {@code target}, committed at once, as a restart or an outage leaves them. */
        void insertBacklog(String database, String target, int n) throws SQLException {
            try (Connection c = DriverManager.getConnection(url(database), "bench", "")) {
                c.setAutoCommit(false);
                Timestamp now = Timestamp.from(Instant.now());
                try (PreparedStatement s = c.prepareStatement("INSERT INTO webhook_delivery (event_id, event_type, target,"
                        + " group_id, payload, status, attempts, next_attempt_at, created_at)"
                        + " VALUES (?, 'im.topic.destroyed', ?, ?, ?, 'PENDING', 0, ?, ?)")) {
                    for (int i = 0; i < n; i++) {
                        String id = "evt_bench_" + target + "_" + System.nanoTime() + "_" + i;
                        s.setString(1, id);
                        s.setString(2, target);
                        s.setString(3, "@TGS#bench" + (i % 100));
                        s.setString(4, "{\"type\":\"im.topic.destroyed\",\"data\":{\"topicId\":\"" + id + "\"}}");
                        s.setTimestamp(5, now);
                        s.setTimestamp(6, now);
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                c.commit();
            }
        }

        @Override
        public synchronized void close() throws Exception {
            if (Files.exists(dir)) {
                boolean root = "root".equals(System.getProperty("user.name"));
                asOwner(root, bin + "/pg_ctl -D " + dir.resolve("data") + " -m fast stop >/dev/null");
                exec(List.of("rm", "-rf", dir.toString()));
            }
        }
    }

    /** The bridge's jar or the yardstick's, started as a user would, logs in bench/results. */
    static final class App implements AutoCloseable {
        final String name;
        final int port;
        final Process process;
        String targetUrl;

        private App(String name, int port, Process process) {
            this.name = name;
            this.port = port;
            this.process = process;
        }

        static App bridge(String jdbcUrl, int port, String targetUrl, List<String> arguments, String... jvm) throws Exception {
            List<String> command = new ArrayList<>(List.of(java()));
            command.addAll(Arrays.asList(jvm));
            command.addAll(List.of("-jar", ROOT.resolve("target/im-callback-bridge.jar").toString(),
                    "--camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:bench/constant.camel.yaml"));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
            builder.environment().putAll(Map.of("SPRING_DATASOURCE_URL", jdbcUrl, "SPRING_DATASOURCE_USERNAME", "bench",
                    "SERVER_PORT", String.valueOf(port), "IM_SDKAPPID", APP_ID, "WEBHOOK_URL", targetUrl,
                    "DEMO_CRM_ENABLED", "false"));
            App app = start("bridge", port, builder, "/actuator/health/readiness");
            app.targetUrl = targetUrl;
            return app;
        }

        static App yardstick(String jdbcUrl, int port, String targetUrl) throws Exception {
            ProcessBuilder builder = new ProcessBuilder(java(), "-jar",
                    ROOT.resolve("bench/target/im-callback-bridge-bench.jar").toString(),
                    "--server.port=" + port, "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=bench",
                    "--webhook.url=" + targetUrl, "--im.sdkappid=" + APP_ID).directory(ROOT.toFile());
            return start("yardstick", port, builder, null);
        }

        static App start(String name, int port, ProcessBuilder builder, String readiness) throws Exception {
            Path log = ROOT.resolve("bench/results/" + name + ".log");
            Process process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            App app = new App(name, port, process);
            HttpClient client = HttpClient.newHttpClient();
            await(() -> {
                try {
                    HttpResponse<String> r = readiness != null
                            ? client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + readiness)).build(),
                            HttpResponse.BodyHandlers.ofString())
                            : client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + callbackPath(false)))
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                    return readiness != null ? r.statusCode() == 200 : r.statusCode() == 403;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }, Duration.ofSeconds(90), name + " to start (log: " + log + ")");
            return app;
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** Methods the process's JIT has compiled so far (HotSpot's sun.ci.totalCompiles, read with jcmd). */
        long compiles() throws Exception {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(process.pid()), "PerfCounter.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor();
            Matcher m = Pattern.compile("sun\\.ci\\.totalCompiles=(\\d+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("jcmd did not give sun.ci.totalCompiles: " + out);
            }
            return Long.parseLong(m.group(1));
        }

        /** Peak resident memory of the process so far (VmHWM) and now (VmRSS). */
        String rss() throws IOException {
            Map<String, String> status = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) {
                    status.put(line.substring(0, 5), String.format(Locale.ROOT, "%d MiB",
                            Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024));
                }
            }
            return status.get("VmRSS") + " now, " + status.get("VmHWM") + " peak";
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static void exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
    }

    /** wrk: throughput and latency percentiles with a fixed number of connections. */
    static final class Wrk {
        record Result(double rps, double p50, double p99, long non2xx) {
        }

        static Result mean(List<Result> results) {
            return new Result(results.stream().mapToDouble(Result::rps).average().orElse(0),
                    results.stream().mapToDouble(Result::p50).average().orElse(0),
                    results.stream().mapToDouble(Result::p99).average().orElse(0),
                    results.stream().mapToLong(Result::non2xx).sum());
        }

        record FixedRate(double p50, double p99, double max, long sent) {
            /** Each figure's median over the runs (an odd number of them, so one run's own figure). */
            static FixedRate median(List<FixedRate> runs) {
                return new FixedRate(median(runs, FixedRate::p50), median(runs, FixedRate::p99),
                        median(runs, FixedRate::max), runs.stream().mapToLong(FixedRate::sent).sum());
            }

            private static double median(List<FixedRate> runs, ToDoubleFunction<FixedRate> figure) {
                double[] sorted = runs.stream().mapToDouble(figure).sorted().toArray();
                return sorted[sorted.length / 2];
            }
        }

        /**
         * {@code rate} 1-topic callbacks per second for {@code seconds}, open loop (bench/fixed-rate.lua): 16
         * connections, each on its own schedule; latency from each request's planned time.
         */
        static FixedRate fixedRate(App app, int rate, int seconds) throws Exception {
            int connections = 16;
            ProcessBuilder builder = new ProcessBuilder("wrk", "-t" + connections, "-c" + connections, "-d" + seconds + "s",
                    "-s", ROOT.resolve("bench/fixed-rate.lua").toString(), app.url(callbackPath(true))).redirectErrorStream(true);
            builder.environment().putAll(Map.of("RATE", String.valueOf(rate), "CONNS", String.valueOf(connections),
                    "PFX", "fixed" + System.nanoTime()));
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Matcher m = Pattern.compile("FIXED-RATE sent=(\\d+) non200=(\\d+) p50=([0-9.]+) p99=([0-9.]+) max=([0-9.]+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("wrk (fixed rate) said: " + out);
            }
            if (Long.parseLong(m.group(2)) > 0) {
                throw new IllegalStateException("the " + app.name + " did not answer OK to every callback at " + rate + "/s: " + out);
            }
            return new FixedRate(Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                    Long.parseLong(m.group(1)));
        }

        static Result constant(App app, int seconds) throws Exception {
            return wrk(app.url("/bench/constant"), 1, seconds, "const");
        }

        static Result run(App app, int topics, boolean accepted, int seconds) throws Exception {
            return wrk(app.url(callbackPath(accepted)), Math.max(1, topics), seconds, app.name);
        }

        static Result wrk(String url, int topics, int seconds, String prefix) throws Exception {
            Path script = Files.createTempFile("im-bench", ".lua");
            Files.writeString(script, """
                    -- every request a new group (so new topics): per run, per wrk thread, per request
                    local n = %d
                    local threads = 0
                    function setup(thread)
                      threads = threads + 1
                      thread:set("tid", threads)
                    end
                    local counter = 0
                    request = function()
                      counter = counter + 1
                      local g = "@TGS#_%s" .. "t" .. tid .. "x" .. counter
                      local t = {}
                      for i = 1, n do t[i] = '"' .. g .. '@TOPIC#_t' .. i .. '"' end
                      local body = '{"CallbackCommand":"Group.CallbackAfterTopicDestroyed","GroupId":"' .. g
                        .. '","Type":"Community","TopicIdList":[' .. table.concat(t, ",") .. ']}'
                      return wrk.format("POST", nil, {["Content-Type"]="application/json"}, body)
                    end
                    """.formatted(topics, prefix + System.nanoTime()));
            Process p = new ProcessBuilder("wrk", "-t2", "-c16", "-d" + seconds + "s", "--latency", "-s", script.toString(), url)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Files.delete(script);
            Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
            if (!rps.find()) {
                throw new IllegalStateException("wrk said: " + out);
            }
            Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
            return new Result(Double.parseDouble(rps.group(1)), latency(out, "50%"), latency(out, "99%"),
                    non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
        }

        static double latency(String out, String percentile) {
            Matcher m = Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
            if (!m.find()) {
                return Double.NaN;
            }
            double value = Double.parseDouble(m.group(1));
            return switch (m.group(2)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
        }
    }

    /** Load from this JVM: one callback at a time (the topic-count curve). */
    static final class Load {
        static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        /** p50 and p99 (ms) of {@code n} callbacks of {@code topics} topics, sent one after another. */
        static double[] sequential(App app, int topics, int n) throws Exception {
            List<Double> latencies = new ArrayList<>();
            String prefix = "@TGS#_seq" + app.name + topics + "x" + System.nanoTime();
            for (int i = 0; i < n + 3; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(app.url(callbackPath(true))))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(callbackBody(prefix + "n" + i, topics))).build();
                long start = System.nanoTime();
                HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
                double ms = (System.nanoTime() - start) / 1e6;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(app.name + " answered " + response.statusCode() + ": " + response.body());
                }
                if (i >= 3) { // the first three warm the path up
                    latencies.add(ms);
                }
            }
            return new double[] {percentile(latencies, 50), percentile(latencies, 99)};
        }
    }
}
