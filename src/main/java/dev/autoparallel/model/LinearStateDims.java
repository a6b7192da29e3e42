package dev.autoparallel.model;

import dev.autoparallel.model.ModelSpec.Mixer;
import java.io.Serializable;
import java.util.Objects;

/**
 * The fixed per-request state of a model's Mamba-2 or Gated DeltaNet layers, as vLLM's
 * {@code MambaStateShapeCalculator} sizes it (vllm/model_executor/layers/mamba/mamba_utils.py, read
 * 2026-11): a convolution state of {@code (convKernel - 1) x convDim / TP} elements in the model
 * dtype and a recurrent (SSM) state in {@code ssmDtype}.
 *
 * <ul>
 *   <li>Mamba-2 ({@code mamba2_state_shape}): {@code convDim = heads x headDim + 2 x groups' x stateSize},
 *       where the groups are extended to TP when TP does not divide them
 *       ({@code extra_groups_for_head_shards}); SSM state {@code heads / TP x headDim x stateSize}.</li>
 *   <li>Gated DeltaNet ({@code gated_delta_net_state_shape}): {@code convDim = 2 x keyHeads x keyHeadDim
 *       + heads x headDim} (value heads); SSM state {@code heads / TP x keyHeadDim x headDim}.</li>
 *   <li>Kimi Delta Attention ({@code kda_state_shape}): the same shapes with keys and values of equal
 *       heads and width (q, k and v convolved, state {@code heads / TP x headDim x headDim}); vLLM's
 *       {@code kda_state_dtype} holds the recurrent state in float32 whatever the cache dtype.</li>
 * </ul>
 *
 * @param mixer      {@link Mixer#MAMBA2}, {@link Mixer#GATED_DELTANET} or {@link Mixer#KDA}
 * @param heads      Mamba heads, or GDN value heads
 * @param headDim    Mamba head dim, or GDN value head dim
 * @param stateSize  Mamba {@code ssm_state_size}; 0 for GDN
 * @param groups     Mamba {@code n_groups}; 0 for GDN
 * @param keyHeads   GDN key heads (KDA: the heads); 0 for Mamba
 * @param keyHeadDim GDN key head dim (KDA: the head dim); 0 for Mamba
 * @param convKernel the causal convolution's width
 * @param ssmDtype   the recurrent state's dtype (vLLM's {@code mamba_ssm_cache_dtype} after the model's hook)
 * @param convDtype  the convolution state's dtype (the model dtype)
 */
public record LinearStateDims(Mixer mixer, int heads, int headDim, int stateSize, int groups, int keyHeads,
                              int keyHeadDim, int convKernel, DType ssmDtype, DType convDtype)
        implements Serializable {

    public LinearStateDims {
        Objects.requireNonNull(ssmDtype, "ssmDtype");
        Objects.requireNonNull(convDtype, "convDtype");
        if (mixer != Mixer.MAMBA2 && mixer != Mixer.GATED_DELTANET && mixer != Mixer.KDA) {
            throw new IllegalArgumentException("a linear state belongs to Mamba-2, Gated DeltaNet or KDA layers, not " + mixer);
        }
        if (heads < 1 || headDim < 1 || convKernel < 2) {
            throw new IllegalArgumentException("linear state with heads " + heads + ", head dim " + headDim
                    + ", conv kernel " + convKernel);
        }
    }

    /** Mamba-2's {@code extra_groups_for_head_shards}: groups replicated so each TP rank holds whole groups. */
    private long groupsPerAllRanks(int tp) {
        return groups % tp == 0 ? groups : tp;
    }

    /** Elements of one layer's convolution state on a rank at TP {@code tp}. */
    public long convElements(int tp) {
        long convDim = mixer == Mixer.MAMBA2
                ? (long) heads * headDim + 2L * groupsPerAllRanks(tp) * stateSize
                : 2L * keyHeads * keyHeadDim + (long) heads * headDim;
        return (convKernel - 1L) * (convDim / tp);
    }

    /** Elements of one layer's recurrent state on a rank at TP {@code tp}. */
    public long ssmElements(int tp) {
        long perHead = mixer == Mixer.MAMBA2 ? (long) headDim * stateSize : (long) keyHeadDim * headDim;
        return heads / tp * perHead;
    }

    /** Bytes of one layer's state for one request on a rank at TP {@code tp} (vLLM MambaSpec.page_size_bytes, unpadded). */
    public long bytes(int tp) {
        return convElements(tp) * convDtype.bytes() + ssmElements(tp) * ssmDtype.bytes();
    }
}
