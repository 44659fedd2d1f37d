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
