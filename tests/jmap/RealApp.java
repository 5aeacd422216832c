import javax.tools.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.*;
import java.lang.invoke.*;
import java.net.*;
import java.nio.file.*;

public class RealApp {
    static Object keep;
    static final Map<String, Object> CACHE = new ConcurrentHashMap<>();
    interface Greeter { String greet(String s); }
    record Point(int x, int y) {}
    enum Color { RED, GREEN, BLUE }
    public static void main(String[] a) throws Exception {
        // compile something in-process and keep the compiler's results
        JavaCompiler jc = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> srcs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            StringBuilder sb = new StringBuilder("public class Gen" + i + " { ");
            for (int m = 0; m < 30; m++) sb.append("public int m" + m + "(int x) { return x * " + m + " + java.util.List.of(1,2,3).size(); } ");
            sb.append("}");
            String code = sb.toString();
            final int n = i;
            srcs.add(new SimpleJavaFileObject(URI.create("string:///Gen" + i + ".java"), JavaFileObject.Kind.SOURCE) {
                public CharSequence getCharContent(boolean b) { return code; }
            });
        }
        Path out = Files.createTempDirectory("realapp");
        com.sun.source.util.JavacTask task = (com.sun.source.util.JavacTask) jc.getTask(null, null, null, List.of("-d", out.toString()), null, srcs);
        Iterable<?> units = task.parse();
        task.analyze();
        keep = new Object[] { task, units };
        // lambdas, method handles, proxies, streams
        List<Greeter> gs = new ArrayList<>();
        for (int i = 0; i < 50; i++) { final int k = i; gs.add(s -> s + k); }
        CACHE.put("greeters", gs);
        CACHE.put("mh", MethodHandles.lookup().findStatic(Math.class, "max", MethodType.methodType(int.class, int.class, int.class)));
        CACHE.put("proxy", java.lang.reflect.Proxy.newProxyInstance(RealApp.class.getClassLoader(), new Class<?>[]{Runnable.class}, (p, m, args) -> null));
        CACHE.put("points", IntStream.range(0, 20000).mapToObj(i -> new Point(i, i * 2)).collect(Collectors.toList()));
        CACHE.put("colors", new EnumMap<Color, String>(Map.of(Color.RED, "r", Color.BLUE, "b")));
        CACHE.put("tree", new TreeMap<>(IntStream.range(0, 5000).boxed().collect(Collectors.toMap(i -> "k" + i, i -> new int[i % 17]))));
        CACHE.put("weak", new WeakHashMap<>(Map.of(new String("wk"), "v")));
        CACHE.put("xml", javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new java.io.ByteArrayInputStream("<a><b x='1'>t</b><c/></a>".getBytes())));
        ExecutorService ex = Executors.newFixedThreadPool(3);
        CountDownLatch started = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) ex.submit(() -> { started.countDown(); try { Thread.sleep(1000000); } catch (InterruptedException e) {} return null; });
        started.await();
        CACHE.put("pool", ex);
        ThreadLocal<byte[]> tl = ThreadLocal.withInitial(() -> new byte[12345]);
        tl.get();
        CACHE.put("tl", tl);
        Files.writeString(Path.of(a[0]), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(1000000);
    }
}
