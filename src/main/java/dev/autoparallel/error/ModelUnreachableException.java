package dev.autoparallel.error;

/**
 * The model may well exist, but its config could not be read: the Hub is offline or timed out,
 * the repository is gated, or the server failed. Distinct from {@link ModelNotFoundException}.
 */
public class ModelUnreachableException extends AutoParallelException {
    /** Why the config could not be read. */
    public enum Reason { OFFLINE, TIMEOUT, GATED, SERVER_ERROR, BAD_RESPONSE }

    private final String modelId;
    private final Reason reason;

    public ModelUnreachableException(String modelId, Reason reason, String message) {
        super(message);
        this.modelId = modelId;
        this.reason = reason;
    }

    public ModelUnreachableException(String modelId, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.modelId = modelId;
        this.reason = reason;
    }

    public String modelId() {
        return modelId;
    }

    public Reason reason() {
        return reason;
    }
}
