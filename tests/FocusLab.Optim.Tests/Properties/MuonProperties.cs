using FocusLab.Tests.Shared;

namespace FocusLab.Optim.Tests.Properties;

/// <summary>
/// Muon's update is the orthogonalised momentum (docs/equations.md, muon): the quintic Newton–Schulz
/// iteration maps every singular value of the normalised momentum into a band around 1 while keeping its
/// singular vectors, so O = U f(S) Vᵀ. Checked directly (singular values, BᵀO symmetric and positive
/// definite), through the rotation equivariance NS(P B Qᵀ) = P NS(B) Qᵀ that makes muon blind to a
/// matrix rotation of the loss, and through the aux routing of the factory.
/// </summary>
public sealed class MuonProperties
{
    /// <summary>One muon step from θ = 0 with momentum 0, lr 1 and no decay: θ₁ = −adj·NS(g).</summary>
    private static float[] Update(float[] g, int rows, int cols, string extra = "")
    {
        var p = new Parameter("w", [rows, cols], new float[g.Length], (float[])g.Clone());
        var opt = OptimizerFactory.Create("muon:lr=1,momentum=0,nesterov=false,weight_decay=0" + extra, [p]);
        opt.Step();
        double adj = Math.Sqrt(Math.Max(1.0, (double)rows / cols));
        return p.DataSpan.ToArray().Select(x => (float)(-x / adj)).ToArray();
    }

    [Theory]
    [InlineData(16, 40)]
    [InlineData(40, 16)]
    [InlineData(32, 32)]
    public void Orthogonalised_update_has_singular_values_near_one(int rows, int cols)
    {
        var g = new TestRandom(rows * 100 + cols).NormalArray(rows * cols);
        var o = Update(g, rows, cols);
        var s = SymmetricEigen.SingularValues(o, rows, cols);
        // Keller Jordan's quintic coefficients trade exactness for speed: after 5 steps σ ∈ ≈[0.68, 1.13].
        Assert.All(s, v => Assert.InRange(v, 0.6, 1.2));
        // The raw gradient's singular values spread far wider; orthogonalisation is what narrows them.
        var sg = SymmetricEigen.SingularValues(g, rows, cols);
        Assert.True(sg[^1] / sg[0] > 3, "the test gradient should be ill-conditioned");
    }

    [Fact]
    public void Update_keeps_the_singular_vectors_of_the_momentum()
    {
        int rows = 12, cols = 20;
        var g = new TestRandom(5).NormalArray(rows * cols);
        var o = Update(g, rows, cols);
        // BᵀO = V S f(S) Vᵀ: symmetric with positive eigenvalues iff O = U f(S) Vᵀ with f > 0.
        var m = new double[cols, cols];
        for (int i = 0; i < cols; i++)
            for (int j = 0; j < cols; j++)
                for (int k = 0; k < rows; k++) m[i, j] += (double)g[k * cols + i] * o[k * cols + j];
        double scale = 0;
        foreach (var v in m) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < cols; i++)
            for (int j = i + 1; j < cols; j++) Assert.True(Math.Abs(m[i, j] - m[j, i]) <= 1e-4 * scale, $"BᵀO[{i},{j}] {m[i, j]} vs {m[j, i]}");
        var eig = SymmetricEigen.Values(m);
        Assert.True(eig[^rows] > 0, $"BᵀO must be positive on the row space of B; eigenvalues {string.Join(", ", eig.TakeLast(rows).Select(e => e.ToString("G3")))}");
    }

    [Fact]
    public void Update_is_equivariant_under_orthogonal_rotations_of_the_matrix()
    {
        int rows = 8, cols = 14;
        var r = new TestRandom(11);
        var g = r.NormalArray(rows * cols);
        var p = Orthogonal(rows, r); var q = Orthogonal(cols, r);
        var rotated = Multiply(Multiply(p, g, rows, rows, cols), Transpose(q, cols, cols), rows, cols, cols);
        var expected = Multiply(Multiply(p, Update(g, rows, cols), rows, rows, cols), Transpose(q, cols, cols), rows, cols, cols);
        var actual = Update(rotated, rows, cols);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) <= 2e-4, $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Matrices_go_to_muon_and_every_other_tensor_to_the_aux_optimizer_bit_for_bit()
    {
        var model = new TestModel(3, [("w", [6, 10], 0), ("b", [7], 0), ("k", [2, 3, 4], 1), ("u", [5, 3], 1)]);
        var alone = model.Copy();
        var composite = OptimizerFactory.Create("muon:lr=0.02,weight_decay=0.1,aux=adamw:lr=3e-4,beta2=0.95,weight_decay=0.01", model.Groups([], [("weight_decay", 0.0)]));
        var muon = (Muon)composite;
        Assert.Equal(2, muon.MuonGroupCount);
        Assert.Equal(4, composite.Groups.Count);
        Assert.True(muon.IsMuonParameter(model.Parameters[0]) && muon.IsMuonParameter(model.Parameters[3]));
        Assert.False(muon.IsMuonParameter(model.Parameters[1]) || muon.IsMuonParameter(model.Parameters[2]));

        // The same split by hand: muon over the matrices, adamw over the rest, with the same groups.
        var ps = alone.Parameters;
        var m = OptimizerFactory.Create("muon:lr=0.02,weight_decay=0.1", [new ParameterGroupSpec([ps[0]]), new ParameterGroupSpec([ps[3]], ("weight_decay", 0.0))]);
        var a = OptimizerFactory.Create("adamw:lr=3e-4,beta2=0.95,weight_decay=0.01", [new ParameterGroupSpec([ps[1]]), new ParameterGroupSpec([ps[2]], ("weight_decay", 0.0))]);
        for (int t = 1; t <= 5; t++)
        {
            double f = 1.0 / t; // a schedule scales both learning rates alike
            foreach (var g in composite.Groups) g.Lr = (g.Index < 2 ? 0.02 : 3e-4) * f;
            foreach (var g in m.Groups) g.Lr = 0.02 * f;
            foreach (var g in a.Groups) g.Lr = 3e-4 * f;
            model.SetGradients(t); alone.SetGradients(t);
            composite.Step(); m.Step(); a.Step();
        }
        TestModel.AssertBitIdentical(alone.Values(), model.Values(), "muon + aux adamw vs the two optimizers apart");
        Assert.Equal(5, muon.Auxiliary!.StepCount);
        Assert.Equal(m.StateBytes + a.StateBytes, composite.StateBytes);
    }

    [Fact]
    public void A_group_can_send_a_matrix_to_the_aux_optimizer()
    {
        var emb = new Parameter("wte", 16, 4); var w = new Parameter("w", 4, 4);
        var opt = (Muon)OptimizerFactory.Create("muon:aux=adamw", [new ParameterGroupSpec([emb], (Muon.UseMuonKey, false)), new ParameterGroupSpec([w])]);
        Assert.False(opt.IsMuonParameter(emb));
        Assert.True(opt.IsMuonParameter(w));
        Assert.Equal("adamw", opt.Auxiliary!.Id);
    }

    [Fact]
    public void Non_matrix_tensors_without_an_aux_optimizer_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("muon:lr=0.02", [new Parameter("w", 4, 4), new Parameter("bias", 4)]));
        Assert.Contains("bias[4]", e.Message);
        Assert.Contains("aux=adamw", e.Message);
    }

    [Fact]
    public void A_fractional_number_of_newton_schulz_steps_is_refused_when_built()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("muon:ns_steps=2.5", [new Parameter("w", 4, 4)]));
        Assert.Contains("whole number", e.Message);
    }

    [Fact]
    public void Aux_belongs_to_muon_and_keeps_its_own_commas()
    {
        var (id, settings) = OptimizerFactory.Parse("muon:lr=0.02, aux=adamw:lr=3e-4,weight_decay=0");
        Assert.Equal("muon", id);
        Assert.Equal("0.02", settings["lr"]);
        Assert.Equal("adamw:lr=3e-4,weight_decay=0", settings["aux"]);
        Assert.False(settings.ContainsKey("weight_decay"));
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("adamw:aux=sgd", [new Parameter("w", 4, 4)]));
        Assert.Contains("muon setting", e.Message);
    }

    [Fact]
    public void Resume_with_an_aux_optimizer_restores_both_and_stays_bit_identical()
    {
        const string spec = "muon:lr=0.02,aux=adamw:lr=1e-3";
        var full = new TestModel(9, TestModel.SmallLayout);
        var part = full.Copy();
        var a = OptimizerFactory.Create(spec, full.Groups());
        full.Run(a, 0, 6);
        var b = OptimizerFactory.Create(spec, part.Groups());
        part.Run(b, 0, 3);
        var saved = new MemoryStream();
        b.SaveState(saved);
        var resumed = part.Copy();
        var c = OptimizerFactory.Create(spec, resumed.Groups());
        c.Groups[^1].Lr = 0.5; // overwritten by the load
        saved.Position = 0;
        c.LoadState(saved);
        Assert.Equal(1e-3, ((Muon)c).Auxiliary!.Groups[^1].Lr);
        resumed.Run(c, 3, 6);
        TestModel.AssertBitIdentical(full.Values(), resumed.Values(), "muon + aux resumed at step 3");
    }

    /// <summary>
    /// A rank-one matrix (1×n or n×1) takes <see cref="MuonRankOneRule"/> and no matrix product (the provider here fails if called):
    /// its Gram matrix X Xᵀ (wide orientation) is the scalar ‖X‖², so NS(B̃) is a scalar times B̃. Checked over 4 steps against a
    /// float64 loop of the general matrix iteration A = X Xᵀ, X ← aX + (bA + cA²)X on the 1×n matrix, with η√max(1, rows/cols)
    /// (√n for n×1) or 0.2η√max(rows, cols), momentum, Nesterov and decoupled decay.
    /// </summary>
    [Theory]
    [InlineData(1, 9, "")]
    [InlineData(9, 1, "")]
    [InlineData(1, 20, ",adjust_lr=match_rms_adamw")]
    [InlineData(20, 1, ",nesterov=false,ns_steps=3")]
    [InlineData(1, 1, "")]
    public void Rank_one_matrices_take_the_scalar_newton_schulz_rule_without_matrix_products(int rows, int cols, string extra)
    {
        int n = rows * cols;
        const double lr = 0.02, wd = 0.1, mu = 0.9;
        var r = new TestRandom(rows * 31 + cols);
        var p = new Parameter("w", [rows, cols], r.NormalArray(n), new float[n]);
        var (_, settings) = OptimizerFactory.Parse($"muon:lr={lr},weight_decay={wd},momentum={mu}" + extra);
        var opt = new Muon([new ParameterGroupSpec([p])], settings, new NoProducts());
        Assert.True(opt.IsRankOneRule);
        var g0 = opt.Groups[0];
        double a = g0.Get("ns_a"), b = g0.Get("ns_b"), c = g0.Get("ns_c"), eps = g0.Get("eps");
        int steps = (int)g0.Get("ns_steps");
        bool nesterov = g0.GetFlag("nesterov"), matchRms = g0.Get("adjust_lr") == 1;
        double adjusted = matchRms ? 0.2 * lr * Math.Sqrt(Math.Max(rows, cols)) : lr * Math.Sqrt(Math.Max(1.0, (double)rows / cols));
        var theta = p.DataSpan.ToArray().Select(v => (double)v).ToArray();
        var reference = new RankOneMuonReference(n, lr, wd, adjusted, mu, nesterov, a, b, c, steps, eps);
        for (int t = 1; t <= 4; t++)
        {
            var g = r.NormalArray(n);
            g.CopyTo(p.GradSpan);
            opt.Step();
            reference.Step(theta, Array.ConvertAll(g, v => (double)v));
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(p.DataSpan[i] - theta[i]) <= 1e-5 * Math.Abs(theta[i]) + 1e-6 * adjusted,
                    $"[{rows}×{cols}] step {t} θ[{i}]: muon {p.DataSpan[i]}, float64 {theta[i]}");
        }
    }

    /// <summary>A product provider that must not be called.</summary>
    private sealed class NoProducts : IMatrixMultiply
    {
        public string Name => "none";
        public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) =>
            throw new InvalidOperationException($"a rank-one matrix must not need a matrix product ({m}×{k} by {k}×{n})");
    }

    private static float[] Orthogonal(int n, TestRandom r)
    {
        // Gram–Schmidt on a Gaussian matrix, in double.
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            var v = Enumerable.Range(0, n).Select(_ => r.Normal()).ToArray();
            for (int j = 0; j < i; j++)
            {
                double d = 0;
                for (int k = 0; k < n; k++) d += v[k] * q[j, k];
                for (int k = 0; k < n; k++) v[k] -= d * q[j, k];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int k = 0; k < n; k++) q[i, k] = v[k] / norm;
        }
        var f = new float[n * n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) f[i * n + k] = (float)q[i, k];
        return f;
    }

    private static float[] Multiply(float[] a, float[] b, int m, int k, int n)
    {
        var c = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                c[i * n + j] = (float)s;
            }
        return c;
    }

    private static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }
}
