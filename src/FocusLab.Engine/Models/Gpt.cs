using System.Numerics;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Nn;

namespace FocusLab.Engine.Models;

/// <summary>nanoGPT-style sizes; defaults are the benchmark model of issue 3.</summary>
public sealed record GptConfig(int VocabSize = 256, int BlockSize = 64, int Layers = 4, int Heads = 4, int Embedding = 128, double Dropout = 0.0)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless every size is positive, the embedding divides into the heads, and dropout is in [0, 1).</summary>
    public void Validate()
    {
        if (VocabSize <= 0 || BlockSize <= 0 || Layers <= 0 || Heads <= 0 || Embedding <= 0)
            throw new ArgumentException($"Invalid GPT sizes {this}: every size must be positive.");
        if (Embedding % Heads != 0)
            throw new ArgumentException($"n_embd {Embedding} must be divisible by n_head {Heads}.");
        if (Dropout < 0 || Dropout >= 1) throw new ArgumentException($"Dropout {Dropout} must be in [0, 1).");
    }
}

/// <summary>
/// A GPT decoder in the nanoGPT style (Radford et al. 2019; Karpathy's nanoGPT): token + position
/// embeddings, pre-LayerNorm blocks x += attn(ln_1(x)); x += mlp(ln_2(x)) with causal multi-head
/// self-attention and a 4× GELU MLP, no biases anywhere, final ln_f, and the output head tied to the
/// token embedding. Initialisation as GPT-2: N(0, 0.02), residual projections N(0, 0.02/√(2·n_layer)).
/// </summary>
public sealed class Gpt<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ParameterTensor<T>> _parameters = [];
    private readonly Block[] _blocks;
    private int[] _positions = [];

    private sealed record Block(LayerNormModule<T> Ln1, ParameterTensor<T> Attn, ParameterTensor<T> AttnProj,
        LayerNormModule<T> Ln2, ParameterTensor<T> Fc, ParameterTensor<T> FcProj);

    /// <summary>Builds the decoder with GPT-2's initialisation drawn from <paramref name="seed"/> (same seed, same weights).</summary>
    /// <param name="config">The sizes; validated first.</param>
    /// <param name="seed">Seed of the weight initialisation.</param>
    public Gpt(GptConfig config, int seed)
    {
        config.Validate();
        Config = config;
        var rng = new Random(seed);
        int c = config.Embedding;
        TokenEmbedding = Add(new ParameterTensor<T>("wte.weight", config.VocabSize, c) { IsEmbeddingOrHead = true });
        PositionEmbedding = Add(new ParameterTensor<T>("wpe.weight", config.BlockSize, c) { IsEmbeddingOrHead = true });
        Init.Normal(TokenEmbedding.Value, 0.02, rng);
        Init.Normal(PositionEmbedding.Value, 0.02, rng);
        double projStd = 0.02 / Math.Sqrt(2 * config.Layers);
        _blocks = new Block[config.Layers];
        for (int l = 0; l < config.Layers; l++)
        {
            string p = $"blocks.{l}.";
            var ln1 = new LayerNormModule<T>(p + "ln_1", c, bias: false);
            var attn = new ParameterTensor<T>(p + "attn.c_attn.weight", 3 * c, c) { RowBlocks = AttentionRowBlocks(c, config.Heads) };
            var attnProj = new ParameterTensor<T>(p + "attn.c_proj.weight", c, c);
            var ln2 = new LayerNormModule<T>(p + "ln_2", c, bias: false);
            var fc = new ParameterTensor<T>(p + "mlp.c_fc.weight", 4 * c, c);
            var fcProj = new ParameterTensor<T>(p + "mlp.c_proj.weight", c, 4 * c);
            Init.Normal(attn.Value, 0.02, rng);
            Init.Normal(attnProj.Value, projStd, rng);
            Init.Normal(fc.Value, 0.02, rng);
            Init.Normal(fcProj.Value, projStd, rng);
            _parameters.AddRange(ln1.Parameters);
            _parameters.AddRange([attn, attnProj]);
            _parameters.AddRange(ln2.Parameters);
            _parameters.AddRange([fc, fcProj]);
            _blocks[l] = new Block(ln1, attn, attnProj, ln2, fc, fcProj);
        }
        FinalNorm = new LayerNormModule<T>("ln_f", c, bias: false);
        _parameters.AddRange(FinalNorm.Parameters);
    }

    private ParameterTensor<T> Add(ParameterTensor<T> p) { _parameters.Add(p); return p; }

    /// <summary>
    /// Adam-mini's blocks of the fused [q; k; v] projection (3c × c): one block per head for the query
    /// rows and for the key rows (the Hessian is block-diagonal by head there), one per output neuron
    /// (row) for the value rows.
    /// </summary>
    internal static int[] AttentionRowBlocks(int embedding, int heads)
    {
        int headSize = embedding / heads;
        var ids = new int[3 * embedding];
        for (int r = 0; r < embedding; r++)
        {
            ids[r] = r / headSize;                          // q: head of the row
            ids[embedding + r] = heads + r / headSize;      // k
            ids[2 * embedding + r] = 2 * heads + r;         // v: its own row
        }
        return ids;
    }

    /// <summary>The sizes this model was built with.</summary>
    public GptConfig Config { get; }

    /// <summary>wte [vocab, n_embd]: the token embedding, also the output head (tied weights).</summary>
    public ParameterTensor<T> TokenEmbedding { get; }

    /// <summary>wpe [block, n_embd]: the learned position embedding.</summary>
    public ParameterTensor<T> PositionEmbedding { get; }

    /// <summary>ln_f, the LayerNorm before the output head.</summary>
    public LayerNormModule<T> FinalNorm { get; }

    /// <summary>wte, wpe, then each block's ln_1, attention, ln_2 and MLP weights, then ln_f.</summary>
    public override IReadOnlyList<ParameterTensor<T>> Parameters => _parameters;

    /// <summary>Seed of the dropout masks; each training-mode forward pass advances
    /// <see cref="ForwardPasses"/>, so a run is reproducible from (seed, passes).</summary>
    public ulong DropoutSeed { get; set; } = 0x5EED;

    /// <summary>Training-mode forward passes so far; with <see cref="DropoutSeed"/> it fixes the next dropout mask (saved in checkpoints).</summary>
    public long ForwardPasses { get; set; }

    /// <summary>Logits [B, T, vocab] for token ids [B, T] (row-major in <paramref name="tokens"/>).</summary>
    public Variable<T> Forward(Tape<T> tape, int[] tokens, int batch, int time)
    {
        if (time <= 0 || time > Config.BlockSize) throw new ArgumentException($"Sequence length {time} must be in [1, block_size = {Config.BlockSize}].");
        if (batch <= 0 || tokens.Length < batch * time) throw new ArgumentException($"Expected {batch}×{time} token ids, got {tokens.Length}.");
        int c = Config.Embedding;
        if (_positions.Length != time) _positions = Enumerable.Range(0, time).ToArray();
        ulong pass = Training ? (ulong)ForwardPasses++ : 0; // evaluation draws no masks
        ulong site = 0;
        ulong Seed() => DropoutSeed ^ (pass * 0x9E3779B97F4A7C15UL) ^ (++site * 0xD1B54A32D192ED03UL);
        bool drop = Training && Config.Dropout > 0;

        var wte = TokenEmbedding.On(tape);
        var x = tape.Add(tape.Embedding(tokens, [batch, time], wte), tape.Embedding(_positions, [time], PositionEmbedding.On(tape)));
        if (drop) x = tape.Dropout(x, Config.Dropout, true, Seed());
        foreach (var blk in _blocks)
        {
            var h = tape.Linear(blk.Ln1.Forward(tape, x), blk.Attn.On(tape));
            h = tape.CausalSelfAttention(h, Config.Heads);
            h = tape.Linear(h, blk.AttnProj.On(tape));
            if (drop) h = tape.Dropout(h, Config.Dropout, true, Seed());
            x = tape.Add(x, h);
            h = tape.Gelu(tape.Linear(blk.Ln2.Forward(tape, x), blk.Fc.On(tape)));
            h = tape.Linear(h, blk.FcProj.On(tape));
            if (drop) h = tape.Dropout(h, Config.Dropout, true, Seed());
            x = tape.Add(x, h);
        }
        x = FinalNorm.Forward(tape, x);
        return tape.Linear(x, wte); // tied head: logits = x·wteᵀ
    }

    /// <summary>Mean next-token cross-entropy; <paramref name="targets"/> has the same layout as the tokens.</summary>
    public Variable<T> Loss(Tape<T> tape, int[] tokens, int[] targets, int batch, int time)
        => tape.CrossEntropy(Forward(tape, tokens, batch, time), targets.Length == batch * time ? targets : targets[..(batch * time)]);
}
