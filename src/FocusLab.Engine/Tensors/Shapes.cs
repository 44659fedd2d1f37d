namespace FocusLab.Engine.Tensors;

/// <summary>Shape arithmetic: element counts, -1 inference in reshapes, NumPy broadcasting.</summary>
public static class Shapes
{
    /// <summary>The element count of <paramref name="shape"/> (1 for a scalar); throws if it exceeds int.MaxValue.</summary>
    public static int Product(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n > int.MaxValue) throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has more than 2^31-1 elements.");
        return (int)n;
    }

    /// <summary>Throws <see cref="ArgumentException"/> if a dimension is negative.</summary>
    public static void Validate(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative dimension; dimensions must be >= 0.", nameof(shape));
    }

    /// <summary>Replaces a single -1 by the size that makes the element count equal <paramref name="length"/>.</summary>
    public static int[] Resolve(int[] shape, int length)
    {
        var s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            s[infer] = 1;
            int rest = Product(s);
            if (rest == 0 || length % rest != 0)
                throw new ArgumentException($"Cannot reshape {length} elements to [{string.Join(", ", shape)}].");
            s[infer] = length / rest;
        }
        Validate(s);
        if (Product(s) != length)
            throw new ArgumentException($"Cannot reshape {length} elements to [{string.Join(", ", shape)}] ({Product(s)} elements); keep the element count.");
        return s;
    }

    /// <summary>NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast (dimension {i}: {da} vs {db}).");
            result[i] = Math.Max(da, db);
        }
        return result;
    }

    /// <summary>Whether two shapes have the same dimensions in the same order.</summary>
    public static bool Equal(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>The shape as text, e.g. <c>[8, 4]</c>.</summary>
    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
