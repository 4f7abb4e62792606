package io.github.imcallbackbridge.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

/** The benchmark's picture: throughput and p99 per case (bridge and yardstick), and the topic-count curve. */
final class Plot {

    private static final Color BRIDGE = new Color(0x2b6cb0);
    private static final Color YARDSTICK = new Color(0xdd8a2b);
    private static final int W = 1400;
    private static final int H = 520;

    static void write(Path file, Map<String, double[]> throughput, Map<String, double[]> p99, Map<Integer, double[]> curve)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        bars(g, 20, "throughput (req/s; delivery: deliveries/s)", throughput, "%,.0f");
        Map<String, double[]> latencies = new java.util.LinkedHashMap<>(p99);
        bars(g, 480, "reply p99 under wrk -c16 (ms)", latencies, "%.1f");
        curve(g, 940, curve);
        legend(g);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void bars(Graphics2D g, int x0, String title, Map<String, double[]> values, String format) {
        int top = 60;
        int bottom = H - 110;
        int width = 420;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, x0, 40);
        double max = values.values().stream().flatMap(v -> java.util.Arrays.stream(v).boxed()).filter(d -> !d.isNaN())
                .mapToDouble(Double::doubleValue).max().orElse(1);
        List<String> names = new ArrayList<>(values.keySet());
        int slot = width / Math.max(1, names.size());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < names.size(); i++) {
            double[] v = values.get(names.get(i));
            int x = x0 + i * slot;
            for (int k = 0; k < 2; k++) {
                if (v[k] <= 0 || Double.isNaN(v[k])) {
                    continue;
                }
                int h = (int) ((bottom - top) * v[k] / max);
                g.setColor(k == 0 ? BRIDGE : YARDSTICK);
                g.fillRect(x + 4 + k * (slot / 2 - 4), bottom - h, slot / 2 - 6, h);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, format, v[k]), x + 2 + k * (slot / 2 - 4), bottom - h - 4);
            }
            g.setColor(Color.BLACK);
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.rotate(Math.toRadians(35), x + 4, bottom + 14);
            rotated.drawString(names.get(i), x + 4, bottom + 14);
            rotated.dispose();
        }
        g.drawLine(x0, bottom, x0 + width, bottom);
    }

    private static void curve(Graphics2D g, int x0, Map<Integer, double[]> curve) {
        int top = 60;
        int bottom = H - 110;
        int width = 420;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("one callback of N topics: p50 reply (ms, log scales)", x0, 40);
        g.drawLine(x0, bottom, x0 + width, bottom);
        g.drawLine(x0, top, x0, bottom);
        double maxMs = curve.values().stream().mapToDouble(v -> Math.max(v[0], v[2])).max().orElse(1);
        double logMax = Math.log10(Math.max(10, maxMs * 2));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int k = 0; k < 2; k++) {
            g.setColor(k == 0 ? BRIDGE : YARDSTICK);
            g.setStroke(new BasicStroke(2));
            int px = -1;
            int py = -1;
            for (Map.Entry<Integer, double[]> point : curve.entrySet()) {
                double ms = point.getValue()[k * 2];
                int x = x0 + 20 + (int) ((width - 40) * Math.log10(point.getKey()) / 3);
                int y = bottom - (int) ((bottom - top) * (Math.log10(Math.max(0.1, ms)) + 1) / (logMax + 1));
                g.fillOval(x - 3, y - 3, 6, 6);
                g.drawString(String.format(Locale.ROOT, "%.1f", ms), x + 4, y - 4 + k * 14);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
        }
        g.setColor(Color.BLACK);
        for (Integer topics : curve.keySet()) {
            int x = x0 + 20 + (int) ((width - 40) * Math.log10(topics) / 3);
            g.drawString(String.valueOf(topics), x - 8, bottom + 16);
        }
        g.drawString("topics per callback", x0 + width / 2 - 50, bottom + 34);
    }

    private static void legend(Graphics2D g) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(BRIDGE);
        g.fillRect(20, H - 30, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString("im-callback-bridge (this build)", 40, H - 18);
        g.setColor(YARDSTICK);
        g.fillRect(300, H - 30, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString("hand-written Spring MVC + JdbcTemplate receiver (bench/)", 320, H - 18);
    }
}
