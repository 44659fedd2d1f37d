using System.Numerics;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

public static partial class Ops
{
    /// <summary>Row lookup: indices [...] into weight [V, C] gives [..., C].</summary>
    public static Variable<T> Embedding<T>(this Tape<T> tape, int[] indices, int[] indexShape, Variable<T> weight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weight.Shape.Length != 2) throw new ArgumentException($"Embedding weight must be [V, C], got {Shapes.Format(weight.Shape)}.");
        int count = Shapes.Product(indexShape);
        if (indices.Length < count) throw new ArgumentException($"{indices.Length} indices given for shape {Shapes.Format(indexShape)}.");
        int v = weight.Shape[0], c = weight.Shape[1];
        var y = tape.Output([.. indexShape, c], weight.RequiresGrad);
        Kernels.Embedding.Forward(indices, weight.Value.Data, y.Value.Data, count, v, c);
        tape.Record(() => { if (weight.Grad is { } g) Kernels.Embedding.Backward(indices, y.Grad!.Data, g.Data, count, c); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.Embedding(tape, indices, count, weight, y);
        return y;
    }

    /// <summary>Multi-head causal self-attention from packed qkv [B, T, 3C] to [B, T, C].</summary>
    public static Variable<T> CausalSelfAttention<T>(this Tape<T> tape, Variable<T> qkv, int heads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (qkv.Shape.Length != 3 || qkv.Shape[2] % 3 != 0) throw new ArgumentException($"Attention expects qkv [B, T, 3C], got {Shapes.Format(qkv.Shape)}.");
        int b = qkv.Shape[0], t = qkv.Shape[1], c = qkv.Shape[2] / 3;
        if (heads <= 0 || c % heads != 0) throw new ArgumentException($"Embedding size {c} is not divisible by {heads} heads.");
        var y = tape.Output([b, t, c], qkv.RequiresGrad);
        var att = tape.Buffer([b, heads, t, t], clear: false);
        Kernels.CausalAttention.Forward(qkv.Value.Data, y.Value.Data, att.Data, b, t, c, heads);
        tape.Record(() => { if (qkv.Grad is { } g) Kernels.CausalAttention.Backward(qkv.Value.Data, att.Data, y.Grad!.Data, g.Data, b, t, c, heads); });
        if (tape.TangentMode && y.RequiresGrad) TangentRules.CausalSelfAttention(tape, qkv, y, att, b, t, c, heads);
        return y;
    }
}
