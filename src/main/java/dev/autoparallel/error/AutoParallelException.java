package dev.autoparallel.error;

/** Base of every error AutoParallel raises on purpose. Unchecked, as the seed API's errors are. */
public class AutoParallelException extends RuntimeException {
    public AutoParallelException(String message) {
        super(message);
    }

    public AutoParallelException(String message, Throwable cause) {
        super(message, cause);
    }
}
