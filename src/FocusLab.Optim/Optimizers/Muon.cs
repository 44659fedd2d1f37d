using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Optim;

/// <summary>
/// Muon (Jordan et al. 2024; torch.optim.Muon, PyTorch 2.9): steepest descent under the spectral norm of
/// each weight matrix. Per matrix W (rows × cols) and step:
/// <code>
/// B ← μ B + g                                   (B₀ = 0, no dampening)
/// B̃ = g + μ B if nesterov, else B
/// O = NS(B̃)                                     (≈ U Vᵀ of B̃ = U S Vᵀ: the orthogonalised momentum)
/// W ← W − η wd W                                (decoupled, with the unadjusted lr)
/// W ← W − η' O,  η' = η √max(1, rows/cols)       ("original")  or  η' = 0.2 η √max(rows, cols)  ("match_rms_adamw")
/// </code>
/// NS is the quintic Newton–Schulz iteration: on the wide orientation (Xᵀ when rows &gt; cols),
/// X ← X / max(‖X‖_F, eps), then ns_steps times A = X Xᵀ, X ← a X + (b A + c A²) X (docs/equations.md).
/// Its products go to <see cref="IMatrixMultiply"/> (the engine's GEMM when installed). A rank-one matrix (1×n or n×1) needs
/// none: there A = X Xᵀ is the scalar ‖X‖², so NS(B̃) is a scalar times B̃ and its step is one <see cref="MuonRankOneRule"/>
/// (the phase sweep engine runs the same rule on a toy run's θ as a 1×d matrix).
/// <para>Muon is defined for matrices only. Every other tensor — and any tensor of a group whose
/// override <c>use_muon=false</c>, as embeddings and output heads usually are — is stepped by an
/// auxiliary optimizer built from the spec's <c>aux=</c> part (e.g. <c>muon:lr=0.02,aux=adamw:lr=3e-4</c>).
/// The rule: a tensor goes to muon when its group says <c>use_muon=true</c>, or says nothing and the
/// tensor has rank 2; otherwise to the auxiliary optimizer. <c>use_muon=true</c> on a rank &gt; 2 tensor
/// treats it as a matrix of its first axis by the rest (a convolution filter bank). The auxiliary
/// groups follow the muon groups in <see cref="Optimizer.Groups"/>, carry the auxiliary optimizer's
/// hyperparameters (so a schedule scales both learning rates alike) and are saved in the same state file.</para>
/// </summary>
public sealed class Muon : GroupReducingRuleOptimizer<MuonRankOneRule>
{
    /// <summary>The spec key whose value (everything after it) is the auxiliary optimizer's spec.</summary>
    public const string AuxiliaryKey = "aux";

    /// <summary>The group override that sends a group's tensors to muon (true) or to the auxiliary optimizer (false).</summary>
    public const string UseMuonKey = "use_muon";

    /// <summary>torch.optim.Muon's defaults (PyTorch 2.9).</summary>
    public static readonly IReadOnlyList<Hyperparameter> Defaults =
    [
        Hyperparameter.LearningRate(1e-3),
        Hyperparameter.WeightDecay(0.1),
        Hyperparameter.Real("momentum", 0.95, 0, 1, true, false, "momentum μ of the buffer B ← μB + g"),
        Hyperparameter.Flag("nesterov", true, "orthogonalise g + μB instead of B"),
        Hyperparameter.Real("ns_a", 3.4445, double.NegativeInfinity, double.PositiveInfinity, description: "Newton–Schulz coefficient a (quintic: X ← aX + (bA + cA²)X)"),
        Hyperparameter.Real("ns_b", -4.775, double.NegativeInfinity, double.PositiveInfinity, description: "Newton–Schulz coefficient b"),
        Hyperparameter.Real("ns_c", 2.0315, double.NegativeInfinity, double.PositiveInfinity, description: "Newton–Schulz coefficient c"),
        Hyperparameter.Real("ns_steps", 5, 0, 100, description: "Newton–Schulz iterations (a whole number)"),
        Hyperparameter.Epsilon(1e-7),
        Hyperparameter.Choice("adjust_lr", "original", ["original", "match_rms_adamw"], "step size per matrix: η√max(1, rows/cols), or 0.2η√max(rows, cols) to match AdamW's update RMS"),
    ];

    private static readonly Hyperparameter UseMuonFlag = Hyperparameter.Flag(UseMuonKey, true);

    private readonly IMatrixMultiply _matmul;
    private readonly int _muonGroups;
    private readonly Optimizer? _aux;
    private readonly string[][] _auxNames;           // per auxiliary group: the hyperparameter names copied to the inner optimizer
    private readonly float[]?[] _buffer;             // per parameter: momentum buffer (null for auxiliary tensors)
    private readonly float[] _x, _t, _a, _aa;        // Newton–Schulz scratch: X and BmX (p×q), A and A² (p×p)

    /// <summary>Builds muon over <paramref name="groups"/> with the product provider <see cref="MatrixMultiply.Provider"/>.</summary>
    /// <param name="groups">Parameter groups; see the class remarks for which tensors muon takes.</param>
    /// <param name="settings">Spec-level values; <c>aux</c> holds the auxiliary optimizer's spec.</param>
    public Muon(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings = null)
        : this(Layout.Build(groups, settings), MatrixMultiply.Provider) { }

    /// <summary>Builds muon over <paramref name="groups"/> with an explicit product provider.</summary>
    /// <param name="groups">Parameter groups; see the class remarks for which tensors muon takes.</param>
    /// <param name="settings">Spec-level values; <c>aux</c> holds the auxiliary optimizer's spec.</param>
    /// <param name="matmul">Matrix products for the Newton–Schulz iteration.</param>
    public Muon(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings, IMatrixMultiply matmul)
        : this(Layout.Build(groups, settings), matmul) { }

    private Muon(Layout layout, IMatrixMultiply matmul) : base("muon", Defaults, layout.Definitions)
    {
        ArgumentNullException.ThrowIfNull(matmul);
        _matmul = matmul;
        _muonGroups = layout.MuonGroups;
        _aux = layout.Auxiliary;
        _auxNames = Groups.Skip(_muonGroups).Select(g => g.Names.ToArray()).ToArray();
        _buffer = new float[Parameters.Count][];
        int maxWork = 0, maxSide = 0;
        for (int gi = 0; gi < _muonGroups; gi++)
            foreach (var p in Groups[gi].Parameters)
            {
                _buffer[IndexOf(p)] = NewState(p, "momentum_buffer");
                if (IsRankOne(p)) continue; // stepped by the rule: no Newton–Schulz scratch
                var (rows, cols) = p.MatrixView;
                maxWork = Math.Max(maxWork, p.Length);
                maxSide = Math.Max(maxSide, Math.Min(rows, cols));
            }
        for (int gi = 0; gi < _muonGroups; gi++) NewtonSchulzSteps(Groups[gi]); // refuse a fractional ns_steps up front
        UseStates(_buffer); // the rank-one rule's momentum (null for auxiliary tensors)
        _x = new float[maxWork]; _t = new float[maxWork];
        _a = new float[maxSide * maxSide]; _aa = new float[maxSide * maxSide];
        if (_aux is not null) AdoptState(_aux, "aux/");
    }

    /// <summary>The matrix-multiply provider of the Newton–Schulz iteration.</summary>
    public IMatrixMultiply MatrixProducts => _matmul;

    /// <summary>The optimizer of the tensors muon does not take (null when every tensor is a muon matrix).</summary>
    public Optimizer? Auxiliary => _aux;

    /// <summary>Number of muon groups; <see cref="Optimizer.Groups"/> from this index on are the auxiliary optimizer's.</summary>
    public int MuonGroupCount => _muonGroups;

    /// <summary>Whether <paramref name="p"/> is stepped by muon (false: by the auxiliary optimizer).</summary>
    public bool IsMuonParameter(Parameter p) => IndexOf(p) is int i and >= 0 && _buffer[i] is not null;

    /// <summary>One per muon matrix: each is orthogonalised on its own.</summary>
    public override int ReductionGroupCount => _buffer.Count(b => b is not null);

    /// <summary>Whether every tensor is a rank-one muon matrix (1×n or n×1) and there is no auxiliary optimizer, so <see cref="MuonRankOneRule"/> is the whole step (as the sweep engine needs).</summary>
    public bool IsRankOneRule => _aux is null && Parameters.All(p => IsRankOne(p));

    private static bool IsRankOne(Parameter p) => Math.Min(p.MatrixView.Rows, p.MatrixView.Cols) == 1;

    /// <inheritdoc/>
    protected override void StepGroup(ParameterGroup g, long t)
    {
        if (g.Index >= _muonGroups)
        {
            StepAuxiliary(g);
            return;
        }
        BeginGroup(g, t);
        int steps = NewtonSchulzSteps(g);
        float mu = (float)g.Get("momentum");
        bool nesterov = g.GetFlag("nesterov");
        double lr = g.Lr, wd = g.Get("weight_decay"), eps = g.Get("eps");
        bool matchRms = g.Get("adjust_lr") == 1;
        var ns = new NewtonSchulz((float)g.Get("ns_a"), (float)g.Get("ns_b"), (float)g.Get("ns_c"), steps, eps);
        for (int k = 0; k < g.Parameters.Count; k++) // index loop: no boxed enumerator per step
        {
            var p = g.Parameters[k];
            var (rows, cols) = p.MatrixView;
            if (IsRankOne(p))
            {
                StepRankOne(p, tall: rows > cols);
                continue;
            }
            var grad = p.GradSpan;
            var buffer = _buffer[IndexOf(p)].AsSpan();
            TensorPrimitives.MultiplyAdd(buffer, mu, grad, buffer);               // B ← μB + g
            // X = B̃ in the wide orientation (p ≤ q): Newton–Schulz costs O(p²q) there.
            bool transpose = rows > cols;
            int pr = transpose ? cols : rows, q = transpose ? rows : cols;
            var x = _x.AsSpan(0, p.Length);
            if (!transpose)
            {
                if (nesterov) TensorPrimitives.MultiplyAdd(buffer, mu, grad, x);  // g + μB
                else buffer.CopyTo(x);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                    {
                        int i = r * cols + c;
                        x[c * rows + r] = nesterov ? buffer[i] * mu + grad[i] : buffer[i];
                    }
            }
            Orthogonalise(ns, x, pr, q);
            double adjusted = matchRms ? 0.2 * lr * Math.Sqrt(Math.Max(rows, cols)) : lr * Math.Sqrt(Math.Max(1.0, (double)rows / Math.Max(1, cols)));
            float decay = (float)(1 - lr * wd), step = (float)-adjusted;
            var theta = p.DataSpan;
            TensorPrimitives.Multiply(theta, decay, theta);
            if (!transpose) TensorPrimitives.MultiplyAdd(x, step, theta, theta);
            else
            {
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        theta[r * cols + c] += step * x[c * rows + r];
            }
        }
    }

    /// <summary>A rank-one matrix's step: the rule's two passes over the whole tensor (its group), as Adafactor's vector path.</summary>
    private void StepRankOne(Parameter p, bool tall)
    {
        var rule = CurrentRule with { Tall = tall };
        int param = IndexOf(p);
        double total = AccumulateRange(param, 0, p.Length); // pass 1 does not depend on the orientation
        double noState = 0;
        float coefficient = RuleDriver.Reduce(rule, CurrentLearningRate, CurrentWeightDecay, total, p.Length, ref noState);
        RunWithGroupCoefficient(rule, coefficient, param, 0, p.Length);
    }

    /// <inheritdoc/>
    /// <remarks>The step scalars of a muon group for a wide (1×n) rank-one matrix; <see cref="StepGroup"/> sets <see cref="MuonRankOneRule.Tall"/> per tensor.</remarks>
    protected override MuonRankOneRule CreateRule(ParameterGroup g, long t) => new(
        (float)g.Get("momentum"), g.GetFlag("nesterov"), (float)g.Get("ns_a"), (float)g.Get("ns_b"), (float)g.Get("ns_c"), NewtonSchulzSteps(g),
        (float)g.Get("eps"), g.Get("adjust_lr") == 1, Tall: false);

    /// <summary>The group's ns_steps, refused unless it is a whole number.</summary>
    private static int NewtonSchulzSteps(ParameterGroup g)
    {
        double steps = g.Get("ns_steps");
        if (steps != Math.Floor(steps))
            throw new ArgumentException($"muon: ns_steps = {steps} is invalid; ns_steps must be a whole number in [0, 100].", "ns_steps");
        return (int)steps;
    }

    /// <summary>The coefficients of one step's quintic Newton–Schulz iteration.</summary>
    private readonly record struct NewtonSchulz(float A, float B, float C, int Steps, double Eps);

    /// <summary>X (p×q, p ≤ q) ← NS(X) in place: normalise by the Frobenius norm, then the quintic iteration.</summary>
    private void Orthogonalise(NewtonSchulz ns, Span<float> x, int p, int q)
    {
        if (p == 0 || q == 0) return;
        double norm = Math.Sqrt(Reductions.SumOfSquares(x));
        TensorPrimitives.Divide(x, (float)Math.Max(norm, ns.Eps), x);
        var a = _a.AsSpan(0, p * p); var aa = _aa.AsSpan(0, p * p); var t = _t.AsSpan(0, p * q);
        for (int s = 0; s < ns.Steps; s++)
        {
            _matmul.Multiply(false, true, p, p, q, x, x, a);     // A = X Xᵀ
            _matmul.Multiply(false, false, p, p, p, a, a, aa);   // A²
            TensorPrimitives.Multiply(aa, ns.C, aa);
            TensorPrimitives.MultiplyAdd(a, ns.B, aa, aa);       // Bm = bA + cA²
            _matmul.Multiply(false, false, p, q, p, aa, x, t);   // Bm X
            TensorPrimitives.MultiplyAdd(x, ns.A, t, x);         // X ← aX + Bm X
        }
    }

    /// <summary>Copies the auxiliary groups' hyperparameters (a schedule may have changed them) into the inner optimizer; the last auxiliary group steps it.</summary>
    private void StepAuxiliary(ParameterGroup g)
    {
        var inner = _aux!.Groups[g.Index - _muonGroups];
        foreach (var name in _auxNames[g.Index - _muonGroups]) inner.Set(name, g.Get(name));
        if (g.Index != Groups.Count - 1) return;
        _aux.Threads = Threads;
        _aux.Step();
    }

    /// <inheritdoc/>
    protected override void UpdateRange(int param, int start, int end) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected internal override void OnStateLoaded()
    {
        if (_aux is null) return;
        _aux.StepCount = StepCount;
        for (int j = 0; j < _aux.Groups.Count; j++)
            foreach (var name in _auxNames[j]) _aux.Groups[j].Set(name, Groups[_muonGroups + j].Get(name));
        _aux.OnStateLoaded();
    }

    /// <summary>Which tensors go where: muon groups first, then the auxiliary optimizer's groups.</summary>
    private sealed record Layout(GroupDefinition[] Definitions, int MuonGroups, Optimizer? Auxiliary)
    {
        public static Layout Build(IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings)
        {
            var muonSettings = settings?.Where(kv => kv.Key != AuxiliaryKey).ToDictionary(kv => kv.Key, kv => kv.Value) ?? [];
            string? auxSpec = settings is not null && settings.TryGetValue(AuxiliaryKey, out var a) ? a : null;
            var muonNames = Defaults.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
            var muon = new List<GroupDefinition>();
            var auxGroups = new List<ParameterGroupSpec>();
            foreach (var spec in groups)
            {
                var overrides = spec.Overrides ?? new Dictionary<string, string>();
                bool? useMuon = overrides.TryGetValue(UseMuonKey, out var text) ? UseMuonFlag.Parse(text, "muon") == 1 : null;
                var matrices = new List<Parameter>();
                var others = new List<Parameter>();
                foreach (var p in spec.Parameters)
                {
                    if (useMuon == true && p.Shape.Length < 2)
                        throw new ArgumentException($"muon: {UseMuonKey}=true on tensor {p} of rank {p.Shape.Length}; muon steps matrices only, so give it to the auxiliary optimizer ({UseMuonKey}=false).");
                    (useMuon ?? p.Shape.Length == 2 ? matrices : others).Add(p);
                }
                var rest = overrides.Where(kv => kv.Key != UseMuonKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                if (matrices.Count > 0)
                {
                    // Overrides meant for the auxiliary optimizer only are not muon's business.
                    var own = others.Count == 0 && auxSpec is null ? rest : rest.Where(kv => muonNames.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
                    muon.Add(new GroupDefinition(new ParameterGroupSpec(matrices, own), Defaults, muonSettings));
                }
                if (others.Count > 0) auxGroups.Add(new ParameterGroupSpec(others, rest));
            }
            if (auxGroups.Count == 0) return new Layout([.. muon], muon.Count, null);
            if (auxSpec is null)
                throw new ArgumentException($"muon: tensors {string.Join(", ", auxGroups.SelectMany(g => g.Parameters).Select(p => p.ToString()))} are not matrices (or their group says {UseMuonKey}=false); "
                    + "add an auxiliary optimizer for them as the spec's last setting, e.g. muon:lr=0.02,aux=adamw:lr=3e-4.");
            if (OptimizerFactory.Parse(auxSpec).Id == "muon")
                throw new ArgumentException($"muon: the auxiliary optimizer '{auxSpec}' is muon itself; choose an optimizer for non-matrix tensors (e.g. adamw).");
            var aux = OptimizerFactory.Create(auxSpec, auxGroups);
            // Each auxiliary group keeps the inner optimizer's hyperparameters (its spec and the group's overrides), so schedules and state files see them.
            var auxDefinitions = aux.Groups.Select((g, j) => new GroupDefinition(
                new ParameterGroupSpec(auxGroups[j].Parameters),
                g.Definitions.Values.ToArray(),
                g.Names.ToDictionary(n => n, n => g.GetText(n), StringComparer.Ordinal)));
            return new Layout([.. muon, .. auxDefinitions], muon.Count, aux);
        }
    }
}

/// <summary>
/// Muon's step on a rank-one matrix (1×n, or n×1 in its wide orientation 1×n; the matrix is the group). There A = X Xᵀ is the 1×1
/// matrix s = ‖X‖², so each quintic Newton–Schulz iteration X ← aX + (bA + cA²)X is X ← (a + b s + c s²) X and
/// NS(B̃) = φ B̃ with a scalar φ (docs/equations.md#muon): φ₀ = 1/max(‖B̃‖, eps), then ns_steps times s = φ²‖B̃‖²,
/// φ ← φ (a + s (b + c s)). Pass 1 updates the momentum B ← μB + g and contributes B̃², B̃ = g + μB (nesterov) or B; the
/// group's coefficient is −η_adj φ; pass 2 is θ ← θ(1 − η wd) − η_adj φ B̃ (decay with the unadjusted η). η_adj = η√max(1, rows/cols)
/// (adjust_lr=original: η for 1×n, η√n for n×1) or 0.2η√max(rows, cols) = 0.2η√n (match_rms_adamw). State s0 = B.
/// <para>Why the library steps rank-one matrices by this rule rather than by its matrix products: in float the matrix path rounds
/// every coordinate of X at every iteration (aX + (bA + cA²)X) and sums A = ‖X‖² in the product's order, so its X is not exactly a
/// scalar multiple of B̃, and no per-run scalar iteration (what the sweep engine can afford per lane) reproduces its bits. Both are
/// the same map in exact arithmetic; this one rounds less (one ‖B̃‖², a scalar recursion, one product per coordinate). With one
/// definition the sweep engine's muon equals the library's bit for bit when a run fits in one vector (tested at d = 2 and 7).</para>
/// </summary>
/// <param name="Momentum">μ.</param>
/// <param name="Nesterov">Whether B̃ = g + μB (else B).</param>
/// <param name="A">Newton–Schulz coefficient a.</param>
/// <param name="B">Newton–Schulz coefficient b.</param>
/// <param name="C">Newton–Schulz coefficient c.</param>
/// <param name="Steps">ns_steps, the number of Newton–Schulz iterations.</param>
/// <param name="Eps">eps of the normalisation X = B̃/max(‖B̃‖, eps).</param>
/// <param name="MatchRms">adjust_lr = match_rms_adamw (else original).</param>
/// <param name="Tall">Whether the matrix is n×1 (its original adjustment is √n); false for 1×n.</param>
public readonly record struct MuonRankOneRule(float Momentum, bool Nesterov, float A, float B, float C, int Steps, float Eps, bool MatchRms, bool Tall) : IGroupReducingRule
{
    private const int Mu = 0, Ac = 1, Bc = 2, Cc = 3, EpsV = 4, Lr = 5, Decay = 6, Coefficient = 7;

    /// <inheritdoc/>
    public static int StateCount => 1;

    /// <inheritdoc/>
    public static int AccumulateStateCount => 1; // the momentum is updated in pass 1

    /// <inheritdoc/>
    public static bool AccumulateReadsTheta => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastStep<TVec>(ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Mu] = TVec.Create(Momentum); c[Ac] = TVec.Create(A); c[Bc] = TVec.Create(B); c[Cc] = TVec.Create(C); c[EpsV] = TVec.Create(Eps);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastRun<TVec>(TVec lr, TVec weightDecay, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec>
    {
        c[Lr] = lr; c[Decay] = TVec.Create(1) - lr * weightDecay;
    }

    /// <summary>B̃ from the updated momentum: g + μB with Nesterov, else B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TVec Direction<TVec>(in RuleVectors<TVec> c, TVec g, TVec b) where TVec : struct, IFloatVector<TVec> =>
        Nesterov ? TVec.Fma(c[Mu], b, g) : b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Accumulate<TVec>(in RuleVectors<TVec> c, TVec theta, TVec g, ref TVec b, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec>
    {
        b = TVec.Fma(c[Mu], b, g);
        var d = Direction(c, g, b);
        return d * d;
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="total"/> is ‖B̃‖² and <paramref name="count"/> = n = max(rows, cols).</remarks>
    public TVec Reduce<TVec>(in RuleVectors<TVec> c, TVec total, float count, ref TVec groupState) where TVec : struct, IFloatVector<TVec>
    {
        var phi = TVec.Create(1) / TVec.Max(TVec.Sqrt(total), c[EpsV]);
        for (int k = 0; k < Steps; k++)
        {
            var s = phi * phi * total;                              // ‖X‖² = A, the 1×1 Gram matrix
            phi *= TVec.Fma(TVec.Fma(c[Cc], s, c[Bc]), s, c[Ac]);   // a + b s + c s²
        }
        float adjust = MatchRms ? 0.2f * MathF.Sqrt(count) : Tall ? MathF.Sqrt(count) : 1;
        return -(c[Lr] * TVec.Create(adjust)) * phi;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BroadcastGroup<TVec>(TVec coefficient, ref RuleVectors<TVec> c) where TVec : struct, IFloatVector<TVec> => c[Coefficient] = coefficient;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TVec>(in RuleVectors<TVec> c, ref TVec theta, TVec g, ref TVec b, ref TVec s1, ref TVec s2, ref TVec s3) where TVec : struct, IFloatVector<TVec> =>
        theta = TVec.Fma(c[Coefficient], Direction(c, g, b), theta * c[Decay]);
}
