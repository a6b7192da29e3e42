package dev.autoparallel.memory;

/**
 * The CUDA graphs vLLM V1 captures by default (cudagraph_mode FULL_AND_PIECEWISE), counted per mode, as its start-up log
 * prints them: "Profiling CUDA graph memory: PIECEWISE=51 (largest=512), FULL=35 (largest=256)".
 *
 * <p>The ladder of batch sizes (CompilationConfig's default cudagraph_capture_sizes) is 1, 2, 4, then multiples of 8
 * below 256, then multiples of 16, up to max_cudagraph_capture_size = min(2 x max_num_seqs x (1 + k), 512), and no
 * larger than max_num_batched_tokens, k being the speculative tokens per step. PIECEWISE graphs (mixed prefill and
 * decode) are captured at every size; FULL graphs (uniform decode batches) at the sizes from 1 + k to
 * max_num_seqs x (1 + k) (CudagraphDispatcher). Checked against published start-up logs (0.19 to 0.24): max_num_seqs
 * 256 gives 51 (512) / 35 (256), 128 gives 35 (256) / 19 (128), 20 gives 8 (40) / 5 (16), 8 gives 5 (16) / 4 (8),
 * 4 gives 4 (8) / 3 (4); with an MTP drafter of k = 4 at max_num_seqs 10, 15 PIECEWISE graphs (largest 96), and of
 * k = 5 at 5, 10 (largest 56). Those drafter logs captured PIECEWISE graphs only (their attention backend has no
 * FULL graphs for speculative batches), so the FULL count with a drafter is vLLM's rule, not a logged figure.
 *
 * @param piecewise        PIECEWISE graphs
 * @param largestPiecewise tokens of the largest
 * @param full             FULL graphs
 * @param largestFull      tokens of the largest (0 if none)
 */
public record CaptureLadder(int piecewise, int largestPiecewise, int full, int largestFull) {
    /** vLLM's cap on the default ladder (max_cudagraph_capture_size). */
    static final int MAX_CAPTURE_SIZE = 512;

    /** The ladder for a server of these limits, with {@code speculative}'s tokens per step when it drafts. */
    public static CaptureLadder of(int maxNumSeqs, int maxNumBatchedTokens, SpeculativeDecoding speculative) {
        return of(maxNumSeqs, maxNumBatchedTokens, speculative.enabled() ? speculative.numSpeculativeTokens() : 0);
    }

    static CaptureLadder of(int maxNumSeqs, int maxNumBatchedTokens, int speculativeTokens) {
        if (maxNumSeqs < 1 || maxNumBatchedTokens < 1 || speculativeTokens < 0) {
            throw new IllegalArgumentException("max_num_seqs " + maxNumSeqs + ", max_num_batched_tokens " + maxNumBatchedTokens
                    + ", speculative tokens " + speculativeTokens);
        }
        int query = 1 + speculativeTokens;
        long largest = Math.min(Math.min(2L * maxNumSeqs * query, MAX_CAPTURE_SIZE), maxNumBatchedTokens);
        long fullFrom = query;
        long fullTo = Math.min((long) maxNumSeqs * query, largest);
        int piecewise = 0, largestPiecewise = 0, full = 0, largestFull = 0;
        for (int size = 1; size <= largest; size = next(size)) {
            piecewise++;
            largestPiecewise = size;
            if (size >= fullFrom && size <= fullTo) {
                full++;
                largestFull = size;
            }
        }
        return new CaptureLadder(piecewise, largestPiecewise, full, largestFull);
    }

    /** The next size of the default ladder: 1, 2, 4, 8, 16, ..., 248, 256, 272, ... */
    private static int next(int size) {
        if (size < 8) {
            return size * 2;
        }
        return size < 256 ? size + 8 : size + 16;
    }

    /** Every graph captured, both modes. */
    public int graphs() {
        return piecewise + full;
    }
}
