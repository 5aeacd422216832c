import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.graalvm.visualvm.lib.jfluid.heap.Heap;
import org.graalvm.visualvm.lib.jfluid.heap.HeapFactory;
import org.graalvm.visualvm.lib.jfluid.heap.JavaClass;

/**
 * Peer comparison for heaplens: the class histogram of a dump as computed by
 * VisualVM's heap library (org.graalvm.visualvm.lib.jfluid.heap, Debian
 * package "visualvm"), so that heaplens' numbers and timings can be set
 * against another analyzer on the same dump.  Run it through
 * tests/bench/peer-visualvm.sh, which compiles it, sets the classpath and
 * keeps the library's cache files out of the dump's directory.
 *
 * Usage: java -cp CLASSES:org-graalvm-visualvm-lib-jfluid-heap.jar \
 *            VisualVMHeap DUMP [--retained] [--top N]
 *
 * Prints on stdout the top N classes (default 20), one per line, as
 *   instances TAB shallow_bytes TAB [retained_bytes TAB] class
 * sorted by shallow bytes, or by retained bytes with --retained (which makes
 * the library compute its dominator tree), then
 *   total TAB objects TAB bytes
 * over all classes.  Prints on stderr how long each phase took.
 *
 * When comparing: VisualVM counts every object in the dump, unreachable
 * ones too (heaplens histogram shows reachable objects; add --unreachable's
 * counts), and does not count class objects as java.lang.Class instances
 * (its java.lang.Class row holds only the few Class objects dumped as
 * ordinary instances, presumably the primitive type mirrors).
 */
public class VisualVMHeap {
    private static final class Row {
        final String name;
        final long instances;
        final long shallow;
        final long retained;

        Row(String name, long instances, long shallow, long retained) {
            this.name = name;
            this.instances = instances;
            this.shallow = shallow;
            this.retained = retained;
        }
    }

    private static void usage() {
        System.err.println("usage: VisualVMHeap DUMP [--retained] [--top N]");
        System.exit(2);
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    public static void main(String[] args) throws Exception {
        String dump = null;
        boolean retained = false;
        int top = 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--retained")) {
                retained = true;
            } else if (args[i].equals("--top") && i + 1 < args.length) {
                top = Integer.parseInt(args[++i]);
            } else if (dump == null && !args[i].startsWith("--")) {
                dump = args[i];
            } else {
                usage();
            }
        }
        if (dump == null) {
            usage();
        }

        long start = System.nanoTime();
        Heap heap = HeapFactory.createHeap(new File(dump));
        System.err.printf(Locale.ROOT, "open: %.3f s%n", secondsSince(start));

        start = System.nanoTime();
        List<JavaClass> classes = heap.getAllClasses();
        List<Row> rows = new ArrayList<>(classes.size());
        long totalObjects = 0;
        long totalBytes = 0;
        for (JavaClass c : classes) {
            Row r = new Row(c.getName(), c.getInstancesCount(),
                    c.getAllInstancesSize(), 0);
            rows.add(r);
            totalObjects += r.instances;
            totalBytes += r.shallow;
        }
        System.err.printf(Locale.ROOT, "histogram: %.3f s (%d classes)%n",
                secondsSince(start), classes.size());

        if (retained) {
            // The first getRetainedSizeByClass() call computes the
            // dominator tree for the whole heap; later calls are lookups.
            start = System.nanoTime();
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                rows.set(i, new Row(r.name, r.instances, r.shallow,
                        classes.get(i).getRetainedSizeByClass()));
            }
            System.err.printf(Locale.ROOT, "retained: %.3f s%n",
                    secondsSince(start));
        }

        Comparator<Row> order = retained
                ? Comparator.comparingLong((Row r) -> r.retained).reversed()
                : Comparator.comparingLong((Row r) -> r.shallow).reversed();
        rows.sort(order.thenComparing(r -> r.name));
        StringBuilder out = new StringBuilder();
        for (Row r : rows.subList(0, Math.min(top, rows.size()))) {
            out.append(r.instances).append('\t').append(r.shallow).append('\t');
            if (retained) {
                out.append(r.retained).append('\t');
            }
            out.append(r.name).append('\n');
        }
        out.append("total\t").append(totalObjects).append('\t')
                .append(totalBytes).append('\n');
        System.out.print(out);
    }
}
