package dev.autoparallel.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/**
 * Parses JSON that a user or a server handed us (configs, specs, price files) the way Python's
 * {@code json} module reads Hugging Face configs: {@code NaN} and {@code Infinity} are numbers,
 * one value per document (trailing content is an error), and bounded nesting and string length.
 * A parse error says what kind of problem and where, never the text it choked on: the file might
 * be a token file passed by mistake.
 */
public final class UserJson {
    /** Deepest nesting accepted; real configs nest 3-4 levels. */
    public static final int MAX_NESTING_DEPTH = 200;
    /** Longest string value accepted; real configs hold names and short lists. */
    public static final int MAX_STRING_CHARS = 1_000_000;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH).maxStringLength(MAX_STRING_CHARS).build())
                    .build())
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private UserJson() {
    }

    /**
     * The document's tree.
     *
     * @param field  the field named in the error ({@code config.json}, {@code spec}, {@code prices})
     * @param source where the text came from (a path, a URL), for the error
     */
    public static JsonNode parse(String text, String field, String source) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new InvalidConfigurationException(field, source + ": empty; a JSON document was expected");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new InvalidConfigurationException(field, source + ": not valid JSON: " + problem(e) + where(e.getLocation()));
        }
    }

    /** What went wrong, in words that quote nothing of the input. */
    static String problem(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getOriginalMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("nesting")) {
                return "nested deeper than " + MAX_NESTING_DEPTH + " levels";
            }
            if (m.contains("string")) {
                return String.format(Locale.ROOT, "a string longer than %,d characters", MAX_STRING_CHARS);
            }
            if (m.contains("number")) {
                return "a number with too many digits";
            }
            return "larger than a config can be";
        }
        if (e instanceof JsonEOFException) {
            return "it ends in the middle of a value (truncated?)";
        }
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Trailing token")) {
            return "more content follows the first JSON value";
        }
        if (m.contains("Invalid UTF-8") || m.contains("Invalid UTF8")) {
            return "invalid UTF-8";
        }
        if (m.startsWith("Unexpected character") || m.startsWith("Unrecognized token")
                || m.startsWith("Unexpected end-of-input") || m.startsWith("Illegal")) {
            return "unexpected content";
        }
        return "malformed";
    }

    private static String where(JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 1) {
            return "";
        }
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
