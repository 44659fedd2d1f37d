using System.Numerics;

namespace FocusLab.Engine.Nn;

/// <summary>Something with named parameters and a training/evaluation mode.</summary>
public abstract class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Training mode (batch statistics, dropout) versus evaluation mode.</summary>
    public virtual bool Training { get; set; } = true;

    /// <summary>All trainable parameters in a fixed order.</summary>
    public abstract IReadOnlyList<ParameterTensor<T>> Parameters { get; }

    /// <summary>The total number of trainable scalars.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Length);

    /// <summary>Clears every parameter's gradient; backward passes accumulate, so call it before each one.</summary>
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

    /// <summary>Writes every parameter's values, in parameter order, into one flat vector (of any precision).</summary>
    public void GatherValues<TOut>(Span<TOut> destination) where TOut : unmanaged, IFloatingPointIeee754<TOut> => Gather(destination, gradients: false);

    /// <summary>Writes every parameter's gradient, in parameter order, into one flat vector (of any precision).</summary>
    public void GatherGradients<TOut>(Span<TOut> destination) where TOut : unmanaged, IFloatingPointIeee754<TOut> => Gather(destination, gradients: true);

    /// <summary>Overwrites the parameters' values from one flat vector in parameter order.</summary>
    public void ScatterValues<TIn>(ReadOnlySpan<TIn> source) where TIn : unmanaged, IFloatingPointIeee754<TIn> => Scatter(source, gradients: false);

    /// <summary>Overwrites the parameters' gradients from one flat vector in parameter order.</summary>
    public void ScatterGradients<TIn>(ReadOnlySpan<TIn> source) where TIn : unmanaged, IFloatingPointIeee754<TIn> => Scatter(source, gradients: true);

    private void Gather<TOut>(Span<TOut> destination, bool gradients) where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        CheckFlatLength(destination.Length);
        int o = 0;
        foreach (var p in Parameters)
        {
            var s = gradients ? p.Grad.Span : p.Value.Span;
            Module<TOut>.Convert<T>(s, destination.Slice(o, s.Length));
            o += s.Length;
        }
    }

    private void Scatter<TIn>(ReadOnlySpan<TIn> source, bool gradients) where TIn : unmanaged, IFloatingPointIeee754<TIn>
    {
        CheckFlatLength(source.Length);
        int o = 0;
        foreach (var p in Parameters)
        {
            var d = gradients ? p.Grad.Span : p.Value.Span;
            Convert(source.Slice(o, d.Length), d);
            o += d.Length;
        }
    }

    private void CheckFlatLength(int length)
    {
        if (length != ParameterCount) throw new ArgumentException($"The flat vector has {length} elements but the model has {ParameterCount} parameters.");
    }

    /// <summary>Non-trainable state (e.g. running statistics) in a fixed order.</summary>
    public virtual IReadOnlyList<Tensors.Tensor<T>> State => [];

    internal static void Convert<TOther>(ReadOnlySpan<TOther> src, Span<T> dst) where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        if (typeof(TOther) == typeof(T))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<TOther, T>(src).CopyTo(dst);
            return;
        }
        for (int i = 0; i < src.Length; i++) dst[i] = T.CreateTruncating(src[i]);
    }
}
