package dev.autoparallel.error;

/**
 * A field of a model config, a cluster or a request is missing or out of range. The message
 * names the field, the bad value and what is allowed.
 */
public class InvalidConfigurationException extends AutoParallelException {
    private final String field;

    public InvalidConfigurationException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, as the user wrote it (for example {@code hidden_size}). */
    public String field() {
        return field;
    }
}
