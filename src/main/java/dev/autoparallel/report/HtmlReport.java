package dev.autoparallel.report;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;

/**
 * report.html from {@code templates/report.ftlh} (packaged in the jar): auto-escaping, the
 * RETHROW handler, a self-contained page (inline CSS and SVG, no scripts, no CDN).
 */
public final class HtmlReport {
    private static final Configuration FREEMARKER = configuration();

    private HtmlReport() {
    }

    private static Configuration configuration() {
        Configuration c = new Configuration(Configuration.VERSION_2_3_35);
        c.setClassForTemplateLoading(HtmlReport.class, "/templates");
        c.setDefaultEncoding("UTF-8");
        c.setRecognizeStandardFileExtensions(true); // .ftlh: HTML auto-escaping
        c.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        return c;
    }

    public static void write(Writer out, ReportModel model) throws IOException {
        try {
            Template t = FREEMARKER.getTemplate("report.ftlh");
            t.process(Map.of("r", model), out);
        } catch (TemplateException e) {
            throw new IllegalStateException("rendering report.html failed: " + e.getMessage(), e);
        }
    }

    static String render(ReportModel model) {
        StringWriter w = new StringWriter();
        try {
            write(w, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
