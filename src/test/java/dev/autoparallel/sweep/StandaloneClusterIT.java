package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone master and worker on 127.0.0.1, started from the build's own Spark
 * jars (a SPARK_HOME of links, as ../shared/notes/spark.md section 3 found necessary); the
 * packaged app jar submitted through org.apache.spark.deploy.SparkSubmit; its report.csv must
 * equal local mode's. Both daemons (and their executors) are stopped at the end.
 */
class StandaloneClusterIT {
    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stopDaemons() {
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The Spark jars of the test classpath (provided scope puts them there), without this project's own output. */
    static List<String> sparkJars() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar") && !e.contains(File.separator + "target" + File.separator)) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<String> jvmFlags() throws IOException {
        String flags = Files.readString(Path.of("target/classes/spark-jvm.args")).trim();
        return List.of(flags.split("\\s+"));
    }

    private Process start(Path log, Map<String, String> env, List<String> command) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().putAll(env);
        Process p = b.start();
        daemons.add(p);
        return p;
    }

    private static void waitFor(Path log, String text, int seconds, Process process) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                fail("process exited before '" + text + "':\n" + Files.readString(log));
            }
            Thread.sleep(250);
        }
        fail("no '" + text + "' within " + seconds + " s:\n" + Files.readString(log));
    }

    @Test
    void clusterRun_equalsLocalRun(@TempDir Path dir) throws Exception {
        Path appJar = Path.of(System.getProperty("autoparallel.jar", "target/autoparallel.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(appJar), "package the app jar first: " + appJar);
        Path sparkHome = dir.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("jars"));
        Files.createDirectories(sparkHome.resolve("conf"));
        List<String> jars = sparkJars();
        for (String jar : jars) {
            Path link = sparkHome.resolve("jars").resolve(Path.of(jar).getFileName());
            if (Files.notExists(link)) {
                Files.createSymbolicLink(link, Path.of(jar));
            }
        }
        String cp = String.join(File.pathSeparator, jars);
        // The same offline Hugging Face cache as the local reference run (its path shows in failure messages).
        Map<String, String> env = Map.of("SPARK_LOCAL_IP", "127.0.0.1", "SPARK_HOME", sparkHome.toString(),
                "SPARK_SCALA_VERSION", "2.13", "HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", dir.resolve("hf").toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int port = freePort();

        List<String> master = new ArrayList<>(List.of(java));
        master.addAll(jvmFlags());
        master.addAll(List.of("-Xmx512m", "-cp", cp, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())));
        Path masterLog = dir.resolve("master.log");
        Process m = start(masterLog, env, master);
        waitFor(masterLog, "I have been elected leader", 60, m);

        List<String> worker = new ArrayList<>(List.of(java));
        worker.addAll(jvmFlags());
        worker.addAll(List.of("-Xmx512m", "-cp", cp, "org.apache.spark.deploy.worker.Worker",
                "spark://127.0.0.1:" + port, "--host", "127.0.0.1", "--cores", "2", "--memory", "2g",
                "--webui-port", Integer.toString(freePort()), "--work-dir", dir.resolve("work").toString()));
        Path workerLog = dir.resolve("worker.log");
        Process w = start(workerLog, env, worker);
        waitFor(workerLog, "Successfully registered with master", 60, w);

        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, SweepJobTest.SPEC);
        Path clusterOut = dir.resolve("cluster-out");
        List<String> submit = new ArrayList<>(List.of(java));
        submit.addAll(jvmFlags());
        submit.addAll(List.of("-cp", cp, "org.apache.spark.deploy.SparkSubmit", "--master", "spark://127.0.0.1:" + port,
                "--deploy-mode", "client", "--class", "dev.autoparallel.sweep.SweepJob",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1", "--executor-memory", "1g", "--total-executor-cores", "2",
                appJar.toString(), spec.toString(), clusterOut.toString()));
        Path submitLog = dir.resolve("submit.log");
        Process s = start(submitLog, env, submit);
        assertTrue(s.waitFor(240, TimeUnit.SECONDS), "spark-submit did not finish:\n" + Files.readString(submitLog));
        assertEquals(0, s.exitValue(), Files.readString(submitLog));
        assertTrue(Files.readString(workerLog).contains("Launch command"), "no executor ran on the worker");

        Path localOut = dir.resolve("local-out");
        SparkSession local = SparkSession.builder().master("local[2]").appName("local reference")
                .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            SweepJob.run(local, SweepJobTest.plan(dir), localOut);
        } finally {
            local.stop();
        }
        assertEquals(Files.readString(localOut.resolve("report.csv")), Files.readString(clusterOut.resolve("report.csv")));
    }
}
