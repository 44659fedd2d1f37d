using System.Numerics;

namespace FocusLab.Engine.Nn;

/// <summary>Something with named parameters and a training/evaluation mode.</summary>
public abstract class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Training mode (batch statistics, dropout) versus evaluation mode.</summary>
    public virtual bool Training { get; set; } = true;

    /// <summary>All trainable parameters in a fixed order.</summary>
    public abstract IReadOnlyList<ParameterTensor<T>> Parameters { get; }

    public long ParameterCount => Parameters.Sum(p => (long)p.Length);

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad.Clear();
    }

    /// <summary>Copies parameter values (and any state such as running statistics) from a model of the same architecture in another precision.</summary>
    public void CopyFrom<TOther>(Module<TOther> other) where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        var mine = Parameters; var theirs = other.Parameters;
        if (mine.Count != theirs.Count) throw new ArgumentException("The models have different parameter lists.");
        for (int i = 0; i < mine.Count; i++)
        {
            if (mine[i].Name != theirs[i].Name || mine[i].Length != theirs[i].Length)
                throw new ArgumentException($"Parameter {i} differs: {mine[i]} vs {theirs[i]}.");
            Convert(theirs[i].Value.Span, mine[i].Value.Span);
        }
        var ms = State; var ts = other.State;
        for (int i = 0; i < ms.Count; i++) Convert(ts[i].Span, ms[i].Span);
    }

    /// <summary>Non-trainable state (e.g. running statistics) in a fixed order.</summary>
    public virtual IReadOnlyList<Tensors.Tensor<T>> State => [];

    private static void Convert<TOther>(ReadOnlySpan<TOther> src, Span<T> dst) where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        for (int i = 0; i < src.Length; i++) dst[i] = T.CreateTruncating(src[i]);
    }
}
