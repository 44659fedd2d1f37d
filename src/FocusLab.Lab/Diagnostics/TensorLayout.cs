namespace FocusLab.Lab.Diagnostics;

/// <summary>One tensor of a flat parameter vector: its name, shape and offset.</summary>
public sealed record TensorSlot(string Name, int[] Shape, int Offset)
{
    public int Count => Shape.Aggregate(1, (a, b) => checked(a * b));

    /// <summary>Filters are slices along the first axis (output channels / rows), as in Li et al. 2018; rank ≤ 1 tensors are one filter.</summary>
    public int FilterCount => Shape.Length >= 2 ? Shape[0] : 1;
}

/// <summary>
/// The tensor boundaries of a flat parameter vector, in order. Needed by filter-wise normalised
/// landscape directions and by pseudo-updates of optimizers that act per tensor (normalized_sgd,
/// adafactor's factored moments, blockwise adam).
/// </summary>
public sealed class TensorLayout
{
    public TensorLayout(IEnumerable<(string Name, int[] Shape)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var slots = new List<TensorSlot>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int offset = 0;
        foreach (var (name, shape) in tensors)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Every tensor needs a non-empty name.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice; names must be unique.", nameof(tensors));
            if (shape is null || shape.Length == 0 || shape.Any(s => s <= 0))
                throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape ?? [])}]; every dimension must be positive and the rank at least 1.", nameof(tensors));
            var slot = new TensorSlot(name, (int[])shape.Clone(), offset);
            offset = checked(offset + slot.Count);
            slots.Add(slot);
        }
        if (slots.Count == 0) throw new ArgumentException("A layout needs at least one tensor.", nameof(tensors));
        Tensors = slots;
        Count = offset;
    }

    /// <summary>One flat tensor named "x" of length d.</summary>
    public static TensorLayout Flat(int d) => new([("x", [d])]);

    public IReadOnlyList<TensorSlot> Tensors { get; }

    /// <summary>Total number of parameters.</summary>
    public int Count { get; }
}

/// <summary>
/// One weight matrix inside a flat parameter vector: <see cref="Rows"/>×<see cref="Cols"/> entries, row-major, from
/// <see cref="Offset"/>. The blocks the spectral-norm geometry acts on (Muon's matrices, the matrix rotation, the
/// spectral smoothness).
/// </summary>
public sealed record MatrixBlock(int Offset, int Rows, int Cols)
{
    /// <summary>Number of entries, Rows·Cols.</summary>
    public int Count => checked(Rows * Cols);

    /// <summary>Refuses blocks that are empty, overlap, or do not fit in a vector of length <paramref name="dimension"/>.</summary>
    public static void Validate(IReadOnlyList<MatrixBlock> blocks, int dimension)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var sorted = blocks.OrderBy(b => b.Offset).ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            var b = sorted[i];
            if (b.Rows < 1 || b.Cols < 1 || b.Offset < 0 || (long)b.Offset + b.Count > dimension)
                throw new ArgumentException($"Matrix block at offset {b.Offset} ({b.Rows}×{b.Cols}) does not fit in a vector of length {dimension}; give blocks inside the parameter vector.", nameof(blocks));
            if (i > 0 && sorted[i - 1].Offset + sorted[i - 1].Count > b.Offset)
                throw new ArgumentException($"Matrix blocks at offsets {sorted[i - 1].Offset} and {b.Offset} overlap; every entry belongs to one block at most.", nameof(blocks));
        }
    }
}
