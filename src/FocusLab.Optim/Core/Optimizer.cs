namespace FocusLab.Optim;

/// <summary>
/// Base of every optimizer, in the spirit of torch.optim: parameter groups with their own
/// hyperparameters, <see cref="Step"/>, <see cref="ZeroGrad"/>, and full state save/load.
/// An optimizer updates each coordinate from flat float spans. Subclasses give the math of one step
/// over a range of one parameter (<see cref="UpdateRange"/>); this class splits the work into fixed
/// chunks (the same for any thread count, so results are identical) and runs them on a persistent
/// pool without allocating.
/// </summary>
public abstract class Optimizer : IChunkedWork
{
    /// <summary>Chunk length in floats; a multiple of the SIMD width so chunking never moves a vector boundary.</summary>
    internal const int ChunkLength = 1 << 15;

    private readonly List<StateEntry> _state = [];
    private readonly Parameter[] _parameters;
    private readonly Dictionary<Parameter, int> _index;
    private readonly ChunkTable[] _chunks;
    private ChunkTable _running = null!;
    private int _mode;
    private double[] _partials = [];
    private UpdateStatisticsTracker? _tracker;
    private readonly List<IStepTransform> _transforms = [];

    /// <summary>
    /// Builds the groups: each gets every hyperparameter of <paramref name="schema"/> at its default, then
    /// <paramref name="settings"/> (the spec string's values), then the group's own overrides, each validated.
    /// </summary>
    /// <param name="id">Canonical optimizer id, used in messages and state files.</param>
    /// <param name="schema">The hyperparameters the optimizer understands.</param>
    /// <param name="groups">The parameter groups; at least one, none empty, parameter names unique.</param>
    /// <param name="settings">Values for every group, by name, as spec-string text; null for none.</param>
    protected Optimizer(string id, IReadOnlyList<Hyperparameter> schema, IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : this(id, schema, groups.Select(g => new GroupDefinition(g, schema, settings)))
    {
    }

    /// <summary>
    /// Builds groups that may follow different schemas (a composite such as muon, whose non-matrix
    /// tensors are stepped by an auxiliary optimizer with its own hyperparameters).
    /// </summary>
    /// <param name="id">Canonical optimizer id.</param>
    /// <param name="schema">The optimizer's own hyperparameters (what <see cref="Schema"/> reports).</param>
    /// <param name="groups">Each group with the schema and spec-level settings it follows.</param>
    private protected Optimizer(string id, IReadOnlyList<Hyperparameter> schema, IEnumerable<GroupDefinition> groups)
    {
        Id = id;
        Schema = schema;
        var definitions = groups.ToArray();
        var specs = definitions.Select(d => d.Spec).ToArray();
        if (specs.Length == 0) throw new ArgumentException($"{id}: no parameter groups were given; pass at least one parameter.", nameof(groups));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var all = new List<Parameter>();
        var list = new List<ParameterGroup>();
        foreach (var spec in specs)
        {
            if (spec.Parameters.Count == 0) throw new ArgumentException($"{id}: parameter group {list.Count} is empty; every group needs at least one parameter.", nameof(groups));
            foreach (var p in spec.Parameters)
            {
                if (!names.Add(p.Name)) throw new ArgumentException($"{id}: parameter name '{p.Name}' appears twice; names identify state and must be unique.", nameof(groups));
                all.Add(p);
            }
            var definition = definitions[list.Count];
            var g = new ParameterGroup(list.Count, spec.Parameters, id);
            foreach (var h in definition.Schema) g.Define(h, h.Default);
            Apply(g, definition.Settings);
            Apply(g, spec.Overrides);
            list.Add(g);
        }
        Groups = list;
        _parameters = all.ToArray();
        _index = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++) _index[_parameters[i]] = i;
        _chunks = list.Select(g => new ChunkTable(g, all)).ToArray();
        _partials = new double[_chunks.Max(c => c.Count)];
        Threads = WorkerPool.Shared.MaxThreads;
    }

    /// <summary>Canonical id (`adamw`, `focus`, ...).</summary>
    public string Id { get; }

    /// <summary>The hyperparameters this optimizer understands, with defaults and valid ranges.</summary>
    public IReadOnlyList<Hyperparameter> Schema { get; }

    /// <summary>The parameter groups in the order given, each with its own hyperparameters (change them between steps).</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>All parameters in group order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>t of the last completed step (0 before the first).</summary>
    public long StepCount { get; internal set; }

    /// <summary>Threads used by the kernels (results do not depend on it).</summary>
    public int Threads
    {
        get => _threads;
        set => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "Threads must be at least 1.");
    }
    private int _threads;

    /// <summary>Bytes of optimizer state per parameter coordinate (moments, averages, ...), averaged over all parameters.</summary>
    public double StateBytesPerParameter
    {
        get
        {
            long n = _parameters.Sum(p => (long)p.Length);
            return n == 0 ? 0 : (double)StateBytes / n;
        }
    }

    /// <summary>Total bytes of state buffers.</summary>
    public long StateBytes => _state.Sum(e => e.ByteLength);

    /// <summary>When on, each step records mean and max of |Δθ|/η and the fraction above 1 (costs one copy of θ).</summary>
    public bool TrackUpdateStatistics
    {
        get => _tracker is not null;
        set => _tracker = value ? _tracker ?? new UpdateStatisticsTracker(_parameters) : null;
    }

    /// <summary>Statistics of the last step when <see cref="TrackUpdateStatistics"/> is on.</summary>
    public UpdateStatistics LastUpdateStatistics => _tracker?.Last ?? default;

    /// <summary>Composable pieces run around each group's update (clipping, masks), in the order added.</summary>
    public IReadOnlyList<IStepTransform> Transforms => _transforms;

    /// <summary>Adds a transform (e.g. <see cref="CoordinateClipping"/>); returns this optimizer for chaining.</summary>
    public Optimizer With(IStepTransform transform)
    {
        transform.Attach(this);
        _transforms.Add(transform);
        return this;
    }

    /// <summary>Sets every parameter's gradient buffer to zero, for callers that accumulate gradients with +=.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.GradSpan.Clear();
    }

    /// <summary>One optimization step over every group, reading each parameter's gradient.</summary>
    public void Step()
    {
        long t = StepCount + 1;
        _tracker?.Before();
        // Index loops: foreach over the IReadOnlyList interface would box an enumerator every step.
        for (int gi = 0; gi < Groups.Count; gi++)
        {
            var g = Groups[gi];
            foreach (var tr in _transforms) tr.BeforeGroup(this, g, t);
            StepGroup(g, t);
            for (int k = _transforms.Count - 1; k >= 0; k--) _transforms[k].AfterGroup(this, g, t);
        }
        StepCount = t;
        _tracker?.After(Groups);
    }

    /// <summary>One group's step. The default prepares coefficients and runs <see cref="UpdateRange"/> over all chunks.</summary>
    protected virtual void StepGroup(ParameterGroup group, long t)
    {
        BeginGroup(group, t);
        RunChunks(group, mode: 0);
    }

    /// <summary>Computes this step's coefficients for the group (called before its ranges run).</summary>
    protected virtual void BeginGroup(ParameterGroup group, long t) { }

    /// <summary>The update of parameter <paramref name="param"/> (index into <see cref="Parameters"/>) on [start, end).</summary>
    protected abstract void UpdateRange(int param, int start, int end);

    /// <summary>A partial sum over [start, end) of parameter <paramref name="param"/> for reduction <paramref name="mode"/> (≥ 1).</summary>
    protected virtual double ReduceRange(int mode, int param, int start, int end) => throw new NotSupportedException();

    /// <summary>Sums <see cref="ReduceRange"/> over the group, combining chunk partials in a fixed order (deterministic).</summary>
    protected double ReduceGroup(ParameterGroup group, int mode)
    {
        RunChunks(group, mode);
        double s = 0;
        for (int c = 0; c < _chunks[group.Index].Count; c++) s += _partials[c];
        return s;
    }

    /// <summary>
    /// Sums <see cref="ReduceRange"/> over each parameter of the group separately into <paramref name="sums"/> (indexed like
    /// <see cref="Parameters"/>; the group's entries are overwritten), combining chunk partials in a fixed order (deterministic).
    /// </summary>
    protected void ReduceGroupPerParameter(ParameterGroup group, int mode, double[] sums)
    {
        RunChunks(group, mode);
        var table = _chunks[group.Index];
        for (int c = 0; c < table.Count; c++) sums[table.Param[c]] = 0;
        for (int c = 0; c < table.Count; c++) sums[table.Param[c]] += _partials[c];
    }

    /// <summary>Runs the update (mode 0) or a reduction (mode ≥ 1) over every chunk of the group.</summary>
    protected void RunChunks(ParameterGroup group, int mode)
    {
        _running = _chunks[group.Index];
        _mode = mode;
        WorkerPool.Shared.Run(this, _running.Count, Threads);
    }

    void IChunkedWork.RunChunk(int chunk)
    {
        var c = _running;
        int p = c.Param[chunk], s = c.Start[chunk], e = c.End[chunk];
        if (_mode == 0) UpdateRange(p, s, e);
        else _partials[chunk] = ReduceRange(_mode, p, s, e);
    }

    /// <summary>Index of a parameter in <see cref="Parameters"/> (−1 if it is not optimized here); O(1), no allocation.</summary>
    public int IndexOf(Parameter p) => _index.TryGetValue(p, out int i) ? i : -1;

    /// <summary>Allocates a zeroed float state buffer that is saved and loaded with the optimizer.</summary>
    protected float[] NewState(Parameter p, string name, int? length = null)
    {
        var buffer = new float[length ?? p.Length];
        _state.Add(new StateEntry($"{p.Name}/{name}", buffer, null));
        return buffer;
    }

    /// <summary>Allocates zeroed double state that belongs to a group (e.g. a shared second moment).</summary>
    protected double[] NewGroupState(ParameterGroup g, string name, int length)
    {
        var buffer = new double[length];
        _state.Add(new StateEntry($"group{g.Index}/{name}", null, buffer));
        return buffer;
    }

    internal IReadOnlyList<StateEntry> StateEntries => _state;

    /// <summary>Saves and loads <paramref name="inner"/>'s state buffers with this optimizer's, under keys prefixed by <paramref name="prefix"/> (a composite's auxiliary optimizer).</summary>
    private protected void AdoptState(Optimizer inner, string prefix)
    {
        foreach (var e in inner._state) _state.Add(e with { Key = prefix + e.Key });
    }

    /// <summary>Writes step count, group hyperparameters and every state buffer (see <see cref="OptimizerStateFormat"/>).</summary>
    public void SaveState(Stream stream) => OptimizerStateFormat.Write(this, stream);

    /// <summary>Restores what <see cref="SaveState"/> wrote. Nothing changes unless the whole file is valid and matches.</summary>
    public void LoadState(Stream stream) => OptimizerStateFormat.Read(this, stream);

    /// <summary>Called after state was loaded, for optimizers that cache derived values.</summary>
    protected internal virtual void OnStateLoaded() { }

    /// <summary>The id and the number of parameters and groups, for logs.</summary>
    public override string ToString() => $"{Id} ({_parameters.Length} parameters, {Groups.Count} groups)";

    private static void Apply(ParameterGroup g, IReadOnlyDictionary<string, string>? values)
    {
        if (values is null) return;
        foreach (var (name, text) in values) g.Set(name, text);
    }

    /// <summary>Fixed split of a group's coordinates into chunks of at most <see cref="ChunkLength"/>.</summary>
    private sealed class ChunkTable
    {
        public readonly int[] Param, Start, End;
        public int Count => Param.Length;

        public ChunkTable(ParameterGroup g, List<Parameter> all)
        {
            var p = new List<int>(); var s = new List<int>(); var e = new List<int>();
            foreach (var par in g.Parameters)
            {
                int index = all.IndexOf(par);
                for (int start = 0; start < par.Length; start += ChunkLength)
                {
                    p.Add(index); s.Add(start); e.Add(Math.Min(par.Length, start + ChunkLength));
                }
                if (par.Length == 0) { p.Add(index); s.Add(0); e.Add(0); }
            }
            Param = p.ToArray(); Start = s.ToArray(); End = e.ToArray();
        }
    }
}

/// <summary>One group as the base constructor builds it: its parameters and overrides, the schema it follows and the spec-level settings applied before the overrides.</summary>
internal sealed record GroupDefinition(ParameterGroupSpec Spec, IReadOnlyList<Hyperparameter> Schema, IReadOnlyDictionary<string, string>? Settings);

/// <summary>One named state buffer (float per coordinate, or double per group).</summary>
internal sealed record StateEntry(string Key, float[]? Floats, double[]? Doubles)
{
    public long ByteLength => Floats is not null ? Floats.Length * 4L : Doubles!.Length * 8L;
}
