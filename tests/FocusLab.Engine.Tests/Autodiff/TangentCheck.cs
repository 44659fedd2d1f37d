using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Tests.Autodiff;

/// <summary>
/// Checks the exact (forward-over-reverse) Hessian of L = Σ r⊙f + ½Σ s⊙f⊙f over an operation f of the
/// given inputs, in double precision, against (a) the Hessian built column by column from central
/// differences of ordinary reverse-mode gradients and (b) the Richardson-extrapolated finite-difference
/// HVP of <see cref="HessianVectorProduct"/>. The quadratic term makes even linear operations have a
/// nonzero Hessian (JᵀSJ), so their first-order tangents are tested as well.
/// </summary>
internal static class TangentCheck
{
    public static Variable<double> Objective(Tape<double> tape, Variable<double> f, int seed)
    {
        var r = GradientCheck.Random(seed, 1, f.Value.Length);
        var s = GradientCheck.Random(seed + 1, 1, f.Value.Length);
        var flat = tape.Reshape(f, f.Value.Length);
        var linear = tape.Sum(tape.Multiply(flat, tape.Constant(r)));
        var quadratic = tape.Sum(tape.Multiply(tape.Multiply(flat, flat), tape.Constant(s)));
        return tape.Add(linear, tape.Scale(quadratic, 0.5));
    }

    public static double[,] ExplicitHessian(ParameterTensor<double>[] ps, Func<Tape<double>, Variable<double>> loss, double h = 1e-5)
    {
        int d = ps.Sum(p => p.Length);
        var tape = new Tape<double>();
        double[] Gradient()
        {
            foreach (var p in ps) p.Grad.Clear();
            tape.Reset();
            tape.Backward(loss(tape));
            return ps.SelectMany(p => p.Grad.Span.ToArray()).ToArray();
        }
        var hm = new double[d, d];
        int j = 0;
        foreach (var p in ps)
            for (int e = 0; e < p.Length; e++, j++)
            {
                double saved = p.Value[e];
                p.Value[e] = saved + h; var gp = Gradient();
                p.Value[e] = saved - h; var gm = Gradient();
                p.Value[e] = saved;
                for (int i = 0; i < d; i++) hm[i, j] = (gp[i] - gm[i]) / (2 * h);
            }
        return hm;
    }

    /// <summary>Runs the checks; returns the largest relative deviation from the explicit Hessian.</summary>
    public static double CheckHessian(Func<Tape<double>, Variable<double>[], Variable<double>> f, Tensor<double>[] inputs, int seed = 50, double tolerance = 1e-7)
    {
        var ps = inputs.Select((x, i) => { var p = new ParameterTensor<double>($"in{i}", x.Shape); x.Span.CopyTo(p.Value.Span); return p; }).ToArray();
        Variable<double> Loss(Tape<double> tape) => Objective(tape, f(tape, ps.Select(p => p.On(tape)).ToArray()), seed);
        int d = ps.Sum(p => p.Length);
        var exact = new ExactHessianVectorProduct<double>(ps, Loss);
        var explicitH = ExplicitHessian(ps, Loss);
        double scale = 0;
        foreach (double x in explicitH) scale = Math.Max(scale, Math.Abs(x));
        Assert.True(scale > 1e-3, $"the test Hessian should not be trivially small (max {scale})");

        // (a) every column: H·e_j against the finite-difference Hessian.
        double worst = 0;
        var e = new double[d]; var col = new double[d];
        for (int j = 0; j < d; j++)
        {
            Array.Clear(e); e[j] = 1;
            exact.Multiply(e, col);
            for (int i = 0; i < d; i++)
            {
                double err = Math.Abs(col[i] - explicitH[i, j]) / Math.Max(1, scale);
                worst = Math.Max(worst, err);
                Assert.True(err <= tolerance, $"H[{i},{j}]: exact {col[i]:R} vs finite differences {explicitH[i, j]:R} (error {err:E2})");
            }
        }

        // (b) random directions against the Richardson HVP.
        var tape = new Tape<double>();
        var richardson = new HessianVectorProduct(ps, () => { tape.Reset(); var l = Loss(tape); tape.Backward(l); return l.Value[0]; });
        for (int trial = 0; trial < 2; trial++)
        {
            var v = GradientCheck.Random(seed + 10 + trial, 1, d).Span.ToArray();
            var reference = richardson.Multiply(v);
            var hv = exact.Multiply(v);
            double vs = Math.Max(1, reference.Max(Math.Abs));
            for (int i = 0; i < d; i++)
                Assert.True(Math.Abs(hv[i] - reference[i]) <= tolerance * vs, $"direction {trial} [{i}]: exact {hv[i]:R} vs Richardson {reference[i]:R}");
        }
        return worst;
    }
}
