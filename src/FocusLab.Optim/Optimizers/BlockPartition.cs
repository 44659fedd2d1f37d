namespace FocusLab.Optim;

/// <summary>
/// How blockwise adam groups coordinates under one shared second moment (Xie et al., "Adam exploits
/// ℓ∞-geometry", Algorithm 3; Adam-mini; Adalayer). Per coordinate is adam, one block per group is
/// adasgd (Wang &amp; Wiens 2020). A block is a set of contiguous ranges of one tensor, except
/// <see cref="PerGroup"/>, whose single block spans every tensor of the group.
/// </summary>
public abstract class BlockPartition
{
    /// <summary>One block for the whole parameter group (adasgd).</summary>
    public static readonly BlockPartition PerGroup = new Slices("per_group", _ => 1);

    /// <summary>One block per tensor (Adalayer).</summary>
    public static readonly BlockPartition PerTensor = new Slices("per_tensor", _ => 1);

    /// <summary>One block per row of each matrix (first axis); vectors are one block.</summary>
    public static readonly BlockPartition PerRow = new Slices("per_row", p => p.Shape.Length >= 2 ? p.Shape[0] : 1);

    /// <summary>One block per coordinate: exactly adam.</summary>
    public static readonly BlockPartition PerCoordinate = new Slices("per_coordinate", p => p.Length);

    /// <summary>
    /// Each tensor split into <paramref name="blocksPerTensor"/>(p) equal contiguous slices, e.g. the
    /// n_head row bands of an attention projection (Adam-mini's per-head blocks).
    /// </summary>
    public static BlockPartition EqualSlices(string name, Func<Parameter, int> blocksPerTensor) => new Slices(name, blocksPerTensor);

    /// <summary>Any partition: <paramref name="blockIds"/>(p) gives a block id per coordinate of p (ids local to the tensor).</summary>
    public static BlockPartition Custom(string name, Func<Parameter, int[]> blockIds) => new Ids(name, blockIds);

    /// <summary>
    /// Adam-mini's partition (Zhang et al. 2024, "Adam-mini: Use Fewer Learning Rates To Gain More"):
    /// the blocks follow the Hessian's block structure. A tensor whose model gave <see cref="Parameter.RowBlocks"/>
    /// uses them (one block per attention head for query and key rows); any other matrix gets one
    /// block per row of its first axis — per output neuron for value, projection and MLP weights
    /// (stored [out, in]), per token for embeddings; vectors (norm gains, biases) are one block each.
    /// </summary>
    public static readonly BlockPartition AdamMini = new RowBlockPartition();

    /// <summary>The partition's name for logs and listings (<c>per_group</c>, <c>per_tensor</c>, <c>per_row</c>, <c>per_coordinate</c>, or the name given to a custom one).</summary>
    public abstract string Name { get; }

    /// <summary>Contiguous ranges (start, end, block index local to the tensor) covering the tensor, and the tensor's block count.</summary>
    internal abstract (List<(int Start, int End, int Block)> Ranges, int Blocks) Split(Parameter p);

    internal bool SpansGroup => ReferenceEquals(this, PerGroup);

    private sealed class Slices(string name, Func<Parameter, int> count) : BlockPartition
    {
        public override string Name => name;

        internal override (List<(int, int, int)>, int) Split(Parameter p)
        {
            int k = count(p);
            if (k < 1 || (p.Length > 0 && p.Length % k != 0))
                throw new ArgumentException($"Block partition '{name}': tensor {p} of {p.Length} values cannot be split into {k} equal blocks.");
            int size = p.Length / Math.Max(1, k);
            var r = new List<(int, int, int)>(k);
            for (int b = 0; b < k; b++) r.Add((b * size, (b + 1) * size, b));
            return (r, k);
        }
    }

    private sealed class RowBlockPartition : BlockPartition
    {
        public override string Name => "adam_mini";

        internal override (List<(int, int, int)>, int) Split(Parameter p)
        {
            if (p.Shape.Length < 2) return ([(0, p.Length, 0)], 1);
            var (rows, cols) = p.MatrixView;
            var ids = p.RowBlocks;
            var map = new Dictionary<int, int>();
            var r = new List<(int, int, int)>();
            for (int i = 0; i < rows;)
            {
                int j = i + 1;
                if (ids is not null) while (j < rows && ids[j] == ids[i]) j++;
                int key = ids is null ? i : ids[i];
                if (!map.TryGetValue(key, out int local)) map[key] = local = map.Count;
                r.Add((i * cols, j * cols, local));
                i = j;
            }
            return (r, map.Count);
        }
    }

    private sealed class Ids(string name, Func<Parameter, int[]> ids) : BlockPartition
    {
        public override string Name => name;

        internal override (List<(int, int, int)>, int) Split(Parameter p)
        {
            var id = ids(p);
            if (id.Length != p.Length) throw new ArgumentException($"Block partition '{name}': {id.Length} block ids for tensor {p} of {p.Length} values.");
            var map = new Dictionary<int, int>();
            var r = new List<(int, int, int)>();
            for (int i = 0; i < id.Length;)
            {
                int j = i;
                while (j < id.Length && id[j] == id[i]) j++;
                if (!map.TryGetValue(id[i], out int local)) map[id[i]] = local = map.Count;
                r.Add((i, j, local));
                i = j;
            }
            return (r, map.Count);
        }
    }
}
