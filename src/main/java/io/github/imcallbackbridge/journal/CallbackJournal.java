package io.github.imcallbackbridge.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.imcallbackbridge.database.RecordingDeadline;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local journal: where a validated callback goes when the database cannot take it within the callback's
 * deadline, so that it can still be acknowledged without being lost.
 * <p>
 * Append-only segment files {@code callbacks-<sequence>.journal} in {@code directory}. A record is a 12-byte
 * header (magic {@code IMJ1}, payload length, CRC-32C of the payload) and its payload: the callback as received
 * (query parameters, raw body) with the ID and arrival time it was given, as JSON. Each append is forced to
 * disk (fsync) before it returns, so an OK reply is never given for a callback that only sits in memory.
 * <p>
 * Replay ({@code replay-journal} in {@code callback-journal.camel.yaml}) seals the segment being written (new
 * appends start a new one), reads the sealed segments oldest first, records each callback through the same
 * recording routes, and deletes a segment once all of its records are in the database. A record that does not
 * check out (a crash in the middle of an append: short, or wrong checksum) ends its segment: it and anything
 * after it are skipped with a WARN, the segment is kept aside as {@code .damaged}, the records before it are
 * replayed. A record that the recording routes refuse for good (not an outage) is kept aside in
 * {@code rejected/} with an ERROR, so it never blocks the records after it.
 * <p>
 * One process owns a journal folder: its first use (an append, a replay or a health check) takes an exclusive
 * lock on {@code journal.lock} in it, held until the bean closes. Another instance pointed at the same folder (two containers sharing a
 * volume, two {@code java -jar} in one working directory) neither appends nor replays there: its callbacks that
 * would need the journal are refused (503 FAIL) and its health reports the journal DOWN, naming the folder, so
 * one instance never replays or deletes a segment another is writing.
 */
public class CallbackJournal {

    private static final Logger LOG = LoggerFactory.getLogger("im-callback");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAGIC = 0x494D4A31; // "IMJ1"
    private static final int HEADER_BYTES = 12;
    private static final String PREFIX = "callbacks-";
    private static final String SUFFIX = ".journal";

    private Path directory = Paths.get("data", "journal");
    private long segmentBytes = 16L * 1024 * 1024;

    private FileChannel current;
    private Path currentPath;
    private long nextSequence = -1;
    private final AtomicLong waiting = new AtomicLong(-1);
    private volatile String lastWriteFailure;
    private FileLock ownership;
    private volatile boolean usedElsewhere;

    public void setDirectory(String directory) {
        this.directory = Paths.get(directory);
    }

    public Path getDirectory() {
        return directory;
    }

    /** A segment is sealed, and the next append starts a new one, once it holds this many bytes. */
    public void setSegmentBytes(long segmentBytes) {
        this.segmentBytes = segmentBytes;
    }

    /**
     * Appends the exchange's callback (the {@code callbackRecord} property the validator made) and forces it
     * to disk. Throws {@link JournalUnavailableException} when it cannot; nothing of the record is then left.
     */
    public synchronized void append(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> callback = exchange.getProperty("callbackRecord", Map.class);
        byte[] payload = payload(callback);
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        record.putInt(MAGIC).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        long before = -1;
        if (!owned()) {
            throw new JournalUnavailableException();
        }
        try {
            FileChannel segment = segmentForAppend();
            before = segment.position();
            while (record.hasRemaining()) {
                segment.write(record);
            }
            segment.force(false);
        } catch (IOException | UncheckedIOException e) {
            undoPartialAppend(before);
            lastWriteFailure = e.getClass().getSimpleName();
            throw new JournalUnavailableException();
        }
        lastWriteFailure = null;
        waiting.incrementAndGet();
        exchange.setProperty("journaled", true);
        if (before + record.limit() >= segmentBytes) {
            sealCurrent();
        }
    }

    /** Callbacks in the journal not yet recorded in the database. */
    public long waitingRecords() {
        long count = waiting.get();
        if (count < 0) {
            synchronized (this) {
                if (waiting.get() < 0) {
                    waiting.set(countOnDisk());
                }
                count = waiting.get();
            }
        }
        return count;
    }

    /** Whether appends can be expected to work: this instance owns the folder, it is writable and the last append did not fail. */
    public boolean isWritable() {
        return lastWriteFailure == null && owned() && Files.isWritable(directory);
    }

    /** Whether another process (or another bridge in this JVM) holds the journal folder's lock. */
    public boolean isUsedElsewhere() {
        return usedElsewhere;
    }

    public String lastWriteFailure() {
        return lastWriteFailure;
    }

    /** Whether any callback waits in the journal (cheap: a counter, read from disk once at start). */
    public boolean hasWaiting() {
        return waitingRecords() > 0;
    }

    /**
     * The segments to replay, oldest first: every segment on disk, after sealing the one being written (the
     * next append starts a new segment, so a segment being replayed is never appended to).
     */
    public synchronized List<String> segmentsToReplay() {
        if (!owned()) {
            return List.of(); // another process's journal: it replays its own
        }
        sealCurrent();
        return segments().stream().map(Path::toString).toList();
    }

    /**
     * The callbacks in the segment named by the body, in the order they arrived, each a map with
     * {@code callbackId}, {@code receivedAt}, {@code sdkAppId}, {@code callbackCommand}, {@code clientIp},
     * {@code optPlatform} and {@code rawBody}. A record that does not check out ends the segment (WARN).
     */
    public List<Map<String, Object>> records(Exchange exchange) throws IOException {
        Path segment = Paths.get(exchange.getMessage().getBody(String.class));
        exchange.setProperty("journalSegment", segment.toString());
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        List<Map<String, Object>> records = new ArrayList<>();
        while (buffer.remaining() > 0) {
            int offset = buffer.position();
            Map<String, Object> record = next(buffer);
            if (record == null) {
                LOG.warn("journal segment {}: the record at byte {} is incomplete or fails its checksum (an append cut short by a crash); "
                        + "it and the {} byte(s) after it are skipped, the {} record(s) before it are replayed, the segment is kept as .damaged",
                        segment.getFileName(), offset, bytes.length - offset, records.size());
                exchange.setProperty("journalSegmentDamaged", true);
                break;
            }
            records.add(record);
        }
        exchange.setProperty("journalSegmentRecords", records.size());
        return records;
    }

    /**
     * Puts the message's journal record back on the exchange as the callback route leaves it before
     * validation: the query parameters as properties, the raw body as body, with the callback's original ID
     * and arrival time ({@code journaledCallbackId}, {@code journaledReceivedAt}) for the validator to keep.
     */
    public void restore(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> record = exchange.getMessage().getBody(Map.class);
        exchange.setProperty("journalRecord", record);
        for (String name : List.of("sdkAppId", "callbackCommand", "clientIp", "optPlatform", "rawBody")) {
            exchange.setProperty(name, record.get(name));
        }
        exchange.setProperty(RecordingDeadline.RECORDING_STARTED_AT, System.currentTimeMillis());
        exchange.setProperty("journaledCallbackId", record.get("callbackId"));
        exchange.setProperty("journaledReceivedAt", OffsetDateTime.parse((String) record.get("receivedAt")));
        exchange.getMessage().setBody(record.get("rawBody"));
    }

    /** One record of the segment is in the database. */
    public void recorded(Exchange exchange) {
        waiting.decrementAndGet();
    }

    /**
     * A record the recording routes refused for good (not an outage): kept in {@code rejected/} under its
     * callback ID, so it is neither lost nor retried forever.
     */
    public void setAside(Exchange exchange) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> record = exchange.getProperty("journalRecord", Map.class);
        Path rejected = Files.createDirectories(directory.resolve("rejected"));
        Files.write(rejected.resolve(record.get("callbackId") + ".json"), payload(record));
        waiting.decrementAndGet();
    }

    /** Every record of the segment is in the database (or set aside): the segment goes. */
    public void replayed(Exchange exchange) throws IOException {
        Path segment = Paths.get(exchange.getProperty("journalSegment", String.class));
        if (exchange.getProperty("journalSegmentDamaged", false, Boolean.class)) {
            Files.move(segment, segment.resolveSibling(segment.getFileName() + ".damaged"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(segment);
        }
    }

    /** Closes the segment being written and gives up the folder (the bean's destroy method). */
    public synchronized void close() {
        sealCurrent();
        if (ownership != null) {
            closeQuietly(ownership.channel()); // releases the lock
            ownership = null;
        }
    }

    /**
     * Whether this process owns the journal folder, taking its lock if nobody holds it. The first refusal is
     * logged as an ERROR naming the folder; ownership is tried again on each call, so the instance takes over
     * once the other one has stopped.
     */
    private synchronized boolean owned() {
        if (ownership != null && ownership.isValid()) {
            return true;
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                ownership = lock;
                if (usedElsewhere) {
                    LOG.info("the journal folder {} is this instance's now", directory.toAbsolutePath().normalize());
                }
                usedElsewhere = false;
                return true;
            }
        } catch (OverlappingFileLockException sameJvm) {
            // another bridge in this JVM holds it (tests): as good as another process
        } catch (IOException e) {
            closeQuietly(channel);
            return false; // not writable: isWritable and the appends say so
        }
        closeQuietly(channel);
        if (!usedElsewhere) {
            LOG.error("the journal folder {} is in use by another process (journal.lock is held): this instance "
                    + "cannot keep callbacks there; give each instance its own CALLBACK_JOURNAL_DIR",
                    directory.toAbsolutePath().normalize());
        }
        usedElsewhere = true;
        return false;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all that is left to do with it
            }
        }
    }

    private FileChannel segmentForAppend() throws IOException {
        if (current == null) {
            Files.createDirectories(directory);
            if (nextSequence < 0) {
                nextSequence = segments().stream().mapToLong(CallbackJournal::sequence).max().orElse(0) + 1;
            }
            Path path = directory.resolve(String.format("%s%020d%s", PREFIX, nextSequence++, SUFFIX));
            current = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            currentPath = path;
            // the new file's directory entry must survive a crash too
            forceDirectory();
        }
        return current;
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException notSupported) {
            // some file systems cannot sync a directory; the file's own fsync is what they offer
        }
    }

    private void undoPartialAppend(long before) {
        if (current == null) {
            return;
        }
        try {
            if (before >= 0) {
                current.truncate(before);
                current.position(before);
                current.force(false);
            }
        } catch (IOException e) {
            // cannot even cut it back: leave the segment; its torn tail is skipped on replay
            sealCurrent();
        }
    }

    private void sealCurrent() {
        if (current == null) {
            return;
        }
        try {
            boolean empty = current.size() == 0;
            current.close();
            if (empty) {
                Files.deleteIfExists(currentPath);
            }
        } catch (IOException ignored) {
            // closing a file whose every record was already forced to disk
        }
        current = null;
        currentPath = null;
    }

    private List<Path> segments() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long countOnDisk() {
        long count = 0;
        for (Path segment : segments()) {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(segment));
                while (buffer.remaining() > 0 && next(buffer) != null) {
                    count++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return count;
    }

    private static long sequence(Path segment) {
        String name = segment.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The next record, or null when what is left is not a whole record with a matching checksum. */
    private static Map<String, Object> next(ByteBuffer buffer) {
        if (buffer.remaining() < HEADER_BYTES) {
            return null;
        }
        int magic = buffer.getInt();
        int length = buffer.getInt();
        int checksum = buffer.getInt();
        if (magic != MAGIC || length < 0 || length > buffer.remaining()) {
            return null;
        }
        byte[] payload = new byte[length];
        buffer.get(payload);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        if ((int) crc.getValue() != checksum) {
            return null;
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> record = JSON.readValue(payload, Map.class);
            return record;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] payload(Map<String, Object> callback) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("callbackId", callback.get("callbackId"));
        record.put("receivedAt", String.valueOf(callback.get("receivedAt")));
        for (String name : List.of("sdkAppId", "callbackCommand", "clientIp", "optPlatform", "rawBody")) {
            record.put(name, callback.get(name));
        }
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always serialisable", e);
        }
    }
}
