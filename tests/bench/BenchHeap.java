import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark heap for heaplens: a scaled-up mix of the "caches" and
 * "deleteonexit" fixtures, sized so that the HPROF dump is about TARGET_MB.
 *
 * Per "unit" of scale (UNITS_PER_GB units make a dump of about 1 GiB):
 *   - 1 MappingService-style cache entry: HashMap.Node, String key + byte[],
 *     Mapping value, byte[] payload of 0..2*PAYLOAD_AVG bytes (5 objects);
 *   - 1 File.deleteOnExit() path: String + byte[] + LinkedHashMap.Entry in
 *     java.io.DeleteOnExitHook (3 objects);
 *   - 2 ConfigClient-style new String(namespace) kept in an ArrayList
 *     (2 objects).
 * About 12 million objects per GiB of dump, like real heaps, unless
 * TARGET_OBJECTS is given: then the unit count comes from the object count
 * (10 objects per unit) and the payload size from the dump size, so that a
 * dump of 600 MB can hold 12.6 million objects as the reference
 * dump does (smaller payload arrays make a denser dump).
 *
 * Usage: java -cp CLASSES BenchHeap TARGET_MB READY_FILE GO_FILE [TARGET_OBJECTS]
 * Builds the heap, writes its PID to READY_FILE, then waits until GO_FILE
 * exists (meanwhile make-bench-dump.sh runs jmap -histo:live and
 * jcmd GC.heap_dump), then exits.
 */
public class BenchHeap {
    // Calibrated with 100 MB and 300 MB runs (JDK 17, compressed oops):
    // about 900 dump bytes and 10 objects per unit, so SIZE gives a dump
    // of about 1.05 x SIZE with about 12 million objects per GiB.
    static final double UNITS_PER_GB = 1_250_000;
    static final int PAYLOAD_AVG = 410;
    // dump bytes of one unit besides its payload array's elements
    static final int UNIT_FIXED_BYTES = 490;

    static final class Mapping {
        final long id;
        final int region;
        final String code;
        final byte[] payload;

        Mapping(long id, int region, String code, byte[] payload) {
            this.id = id;
            this.region = region;
            this.code = code;
            this.payload = payload;
        }
    }

    static final String[] NAMESPACES = { "application", "db.primary", "db.replica", "cache.redis",
            "feature.flags", "auth.oauth", "auth.saml", "billing", "billing.tax", "search.index",
            "search.query", "mail.smtp", "mail.templates", "storage.s3", "storage.local", "metrics",
            "tracing", "logging", "scheduler", "i18n" };

    static final List<Map<String, Mapping>> CACHES = new ArrayList<>();
    static final List<String> REQUESTED = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        long targetMb = Long.parseLong(args[0]);
        Path ready = Paths.get(args[1]);
        Path go = Paths.get(args[2]);
        long units = Math.max(1, Math.round(UNITS_PER_GB * targetMb / 1024.0));
        int payloadAvg = PAYLOAD_AVG;
        if (args.length > 3) {
            long objects = Long.parseLong(args[3]);
            units = Math.max(1, objects / 10);
            double perUnit = targetMb * 1048576.0 / units;
            payloadAvg = (int) Math.max(0, Math.round(perUnit - UNIT_FIXED_BYTES));
        }

        SplittableRandom rnd = new SplittableRandom(0x5EED);
        // caches: several maps of at most 4M entries each
        int perMap = 4_000_000;
        Map<String, Mapping> cache = null;
        for (long i = 0; i < units; i++) {
            if (i % perMap == 0) {
                cache = new HashMap<>();
                CACHES.add(cache);
            }
            String code = "SKU-" + (10_000_000 + i);
            byte[] payload = new byte[rnd.nextInt(2 * payloadAvg + 1)];
            for (int k = 0; k < payload.length; k += 7)
                payload[k] = (byte) (i + k);
            cache.put(code, new Mapping(i, (int) (i % 17), code, payload));
        }
        File dir = new File("/var/tmp/heaplens-bench-uploads");
        for (long i = 0; i < units; i++)
            new File(dir, "upload-" + i + ".tmp").deleteOnExit();
        for (long i = 0; i < 2 * units; i++)
            REQUESTED.add(new String(NAMESPACES[(int) (i % NAMESPACES.length)]));

        String info = "units " + units + "\npayload_avg " + payloadAvg + "\ncache_entries " + units + "\ndelete_on_exit_paths " + units
                + "\nrequested_strings " + (2 * units) + "\npid " + ProcessHandle.current().pid() + "\n";
        System.out.print(info);
        System.out.flush();
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Files.write(ready, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        while (!Files.exists(go))
            Thread.sleep(50);
    }
}
