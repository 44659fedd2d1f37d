using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels;

/// <summary>Row lookup out[i] = W[idx[i]] and its scatter-add backward (serial, in index order).</summary>
public static class Embedding
{
    /// <summary>out[i] = W[indices[i]] for <paramref name="count"/> indices into a [rows, dim] table; an index outside the table throws naming it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(int[] indices, T[] weight, T[] output, int count, int rows, int dim) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < count; i++)
        {
            int ix = indices[i];
            if ((uint)ix >= (uint)rows)
                throw new ArgumentException($"Index {ix} at position {i} is outside the embedding table [0, {rows}); check the vocabulary size or block size.");
            weight.AsSpan(ix * dim, dim).CopyTo(output.AsSpan(i * dim, dim));
        }
    }

    /// <summary>dW[indices[i]] += dout[i], in index order (so repeated indices add deterministically).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(int[] indices, T[] dout, T[] dweight, int count, int dim) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < count; i++)
        {
            var row = dweight.AsSpan(indices[i] * dim, dim);
            TensorPrimitives.Add(row, dout.AsSpan(i * dim, dim), row);
        }
    }
}
