namespace FocusLab.Optim.Tests.Reference;

/// <summary>
/// Plain float64 scalar loops of the golden ids, written from Golden/vectors/README.md §4 and sharing
/// no code with the library, so the library (float32, SIMD, chunked) can be checked against them on
/// hyperparameters, shapes and schedules the golden files do not cover. Sign arguments closer to zero
/// than float32 can resolve are marked ambiguous from that step on (README §3), as the golden masks do.
/// </summary>
internal sealed class ReferenceOptimizer
{
    private readonly string _id;
    private readonly IReadOnlyDictionary<string, double> _h;
    private readonly bool _after;
    private readonly int[] _groupOf;
    private readonly double[] _wd;
    private readonly int[][] _shapes;
    private readonly double[] _gradRms;
    private readonly double[][] _m, _v, _s, _avg, _buf, _gAvg;
    private readonly double[][] _rows, _cols;
    private readonly double[] _groupV;
    private readonly double[][] _z, _x, _hess;
    private readonly double[] _lrMax, _weightSum;
    private double _muProduct = 1;

    public double[][] Theta { get; }
    /// <summary>Coordinates whose sign argument was ambiguous at some step (compare = 0 from then on).</summary>
    public bool[][] Excluded { get; }
    /// <summary>Largest step size used so far (η, or Adafactor's relative α): the golden atol is 1e-3 times it.</summary>
    public double MaxStepSize { get; private set; }

    /// <param name="gradRms">RMS of all gradients of each tensor over the whole run (S_k of README §3).</param>
    public ReferenceOptimizer(string id, IReadOnlyDictionary<string, double> hyper, bool decayAfter, int[] groupOf, double[] weightDecayOfGroup,
                              int[][] shapes, double[][] theta0, double[] gradRms)
    {
        _id = id; _h = hyper; _after = decayAfter; _groupOf = groupOf; _wd = weightDecayOfGroup; _shapes = shapes; _gradRms = gradRms;
        Theta = theta0.Select(x => (double[])x.Clone()).ToArray();
        Excluded = theta0.Select(x => new bool[x.Length]).ToArray();
        double[][] Zeros() => theta0.Select(x => new double[x.Length]).ToArray();
        _m = Zeros(); _v = Zeros(); _s = Zeros(); _avg = Zeros(); _buf = Zeros(); _gAvg = Zeros();
        _rows = shapes.Select(s => new double[s.Length == 2 ? s[0] : 0]).ToArray();
        _cols = shapes.Select(s => new double[s.Length == 2 ? s[1] : 0]).ToArray();
        _groupV = new double[weightDecayOfGroup.Length];
        _z = theta0.Select(x => (double[])x.Clone()).ToArray();
        _x = theta0.Select(x => (double[])x.Clone()).ToArray();
        _hess = Zeros();
        _lrMax = new double[weightDecayOfGroup.Length];
        _weightSum = new double[weightDecayOfGroup.Length];
    }

    private double H(string name) => _h[name];

    public void Step(int t, double lr, double[][] g)
    {
        if (_id is not ("adafactor" or "muon") || (_id == "adafactor" && H("relative_step") == 0)) MaxStepSize = Math.Max(MaxStepSize, lr);
        switch (_id)
        {
            case "sgd": Sgd(t, lr, g); break;
            case "adam": case "adamw": Adam(t, lr, g, decoupled: _id == "adamw", clip: 0); break;
            case "adam_clip": Adam(t, lr, g, decoupled: false, clip: H("clip_fraction")); break;
            case "nadam": NAdam(t, lr, g); break;
            case "rmsprop": RmsProp(lr, g); break;
            case "signum": Signum(lr, g); break;
            case "focus": Focus(t, lr, g); break;
            case "lion": Lion(lr, g); break;
            case "s3": S3(lr, g); break;
            case "adasgd": AdaSgd(t, lr, g); break;
            case "sgd_clip": SgdClip(lr, g); break;
            case "adafactor": Adafactor(t, lr, g); break;
            case "muon": Muon(lr, g); break;
            case "schedulefree_adamw": ScheduleFree(t, lr, g); break;
            case "sophia": Sophia(lr, g); break;
            default: throw new ArgumentException($"no reference for {_id}");
        }
    }

    private IEnumerable<int> Tensors => Enumerable.Range(0, Theta.Length);

    /// <summary>Marks coordinate i of tensor k ambiguous when a sign argument x is near 0 without being exactly 0.</summary>
    private void CheckSignArgument(int k, int i, double x, double scale)
    {
        if (x != 0 && Math.Abs(x) < 1e-5 * scale) Excluded[k][i] = true;
    }

    private void Sgd(int t, double lr, double[][] g)
    {
        double mu = H("momentum"), damp = H("dampening");
        bool nesterov = H("nesterov") != 0;
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double d = g[k][i] + _wd[_groupOf[k]] * Theta[k][i];
                if (mu != 0)
                {
                    _buf[k][i] = t == 1 ? d : mu * _buf[k][i] + (1 - damp) * d;
                    d = nesterov ? d + mu * _buf[k][i] : _buf[k][i];
                }
                Theta[k][i] -= lr * d;
            }
    }

    /// <summary>τ per group: the ⌊k·n⌋-th largest |x| over the group's coordinates (0-based).</summary>
    private double[] Thresholds(double[][] x, double fraction)
    {
        var tau = new double[_wd.Length];
        for (int grp = 0; grp < tau.Length; grp++)
        {
            var abs = Tensors.Where(k => _groupOf[k] == grp).SelectMany(k => x[k]).Select(Math.Abs).OrderByDescending(a => a).ToArray();
            tau[grp] = abs[(int)Math.Min(abs.Length - 1, Math.Floor(fraction * abs.Length))];
        }
        return tau;
    }

    private void Adam(int t, double lr, double[][] g, bool decoupled, double clip)
    {
        double b1 = H("beta1"), b2 = H("beta2"), eps = H("eps");
        var eff = Tensors.Select(k => g[k].Select((x, i) => decoupled ? x : x + _wd[_groupOf[k]] * Theta[k][i]).ToArray()).ToArray();
        var tau = clip > 0 ? Thresholds(eff, clip) : null;
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                if (decoupled) Theta[k][i] *= 1 - lr * _wd[_groupOf[k]];
                double gi = eff[k][i];
                double clipped = tau is null ? gi : Math.Sign(gi) * Math.Min(Math.Abs(gi), tau[_groupOf[k]]);
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * clipped;
                _v[k][i] = b2 * _v[k][i] + (1 - b2) * gi * gi;
                Theta[k][i] -= lr / (1 - Math.Pow(b1, t)) * _m[k][i] / (Math.Sqrt(_v[k][i]) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps);
            }
    }

    private void NAdam(int t, double lr, double[][] g)
    {
        double b1 = H("beta1"), b2 = H("beta2"), eps = H("eps"), psi = H("momentum_decay");
        double mu = b1 * (1 - 0.5 * Math.Pow(0.96, t * psi)), muNext = b1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        _muProduct *= mu;
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double gi = g[k][i] + _wd[_groupOf[k]] * Theta[k][i];
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * gi;
                _v[k][i] = b2 * _v[k][i] + (1 - b2) * gi * gi;
                double denom = Math.Sqrt(_v[k][i] / (1 - Math.Pow(b2, t))) + eps;
                Theta[k][i] -= lr * (1 - mu) / (1 - _muProduct) * gi / denom;
                Theta[k][i] -= lr * muNext / (1 - _muProduct * muNext) * _m[k][i] / denom;
            }
    }

    private void RmsProp(double lr, double[][] g)
    {
        double a = H("alpha"), eps = H("eps"), mu = H("momentum");
        bool centered = H("centered") != 0;
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double gi = g[k][i] + _wd[_groupOf[k]] * Theta[k][i];
                _v[k][i] = a * _v[k][i] + (1 - a) * gi * gi;
                double avg;
                if (centered)
                {
                    _gAvg[k][i] = a * _gAvg[k][i] + (1 - a) * gi;
                    avg = Math.Sqrt(_v[k][i] - _gAvg[k][i] * _gAvg[k][i]) + eps;
                }
                else avg = Math.Sqrt(_v[k][i]) + eps;
                if (mu > 0)
                {
                    _buf[k][i] = mu * _buf[k][i] + gi / avg;
                    Theta[k][i] -= lr * _buf[k][i];
                }
                else Theta[k][i] -= lr * gi / avg;
            }
    }

    private void Signum(double lr, double[][] g)
    {
        double b1 = H("beta1");
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * g[k][i];
                CheckSignArgument(k, i, _m[k][i], _gradRms[k]);
                Theta[k][i] *= 1 - lr * _wd[_groupOf[k]];
                Theta[k][i] -= lr * Math.Sign(_m[k][i]);
            }
    }

    private void Focus(int t, double lr, double[][] g)
    {
        double b1 = H("beta1"), b2 = H("beta2"), gamma = H("gamma");
        double bc = 1 - Math.Pow(b2, t);
        foreach (int k in Tensors)
        {
            double wd = _wd[_groupOf[k]];
            var thetaIn = new double[Theta[k].Length]; // θ' inside the sign
            for (int i = 0; i < Theta[k].Length; i++)
            {
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * g[k][i];
                _avg[k][i] = b2 * _avg[k][i] + (1 - b2) * Theta[k][i];
                thetaIn[i] = _after ? Theta[k][i] : Theta[k][i] - lr * wd * (_avg[k][i] / bc);
            }
            double rms = Math.Sqrt(thetaIn.Average(x => x * x));
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double hat = _avg[k][i] / bc;
                double d = thetaIn[i] * bc - _avg[k][i]; // sign(θ' − θ̂) without division; exactly 0 at t = 1
                CheckSignArgument(k, i, _m[k][i], _gradRms[k]);
                // Only t = 1 makes d exactly 0 by construction; a 0 later (e.g. θ unmoved since t = 1) is a rounding accident.
                if (t > 1 && Math.Abs(d) < 1e-5 * bc * Math.Max(Math.Abs(thetaIn[i]), rms)) Excluded[k][i] = true;
                double th = thetaIn[i] - lr * (Math.Sign(_m[k][i]) + gamma * Math.Sign(d));
                if (_after) th -= lr * wd * hat;
                Theta[k][i] = th;
            }
        }
    }

    private void Lion(double lr, double[][] g)
    {
        double b1 = H("beta1"), b2 = H("beta2");
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double c = b1 * _m[k][i] + (1 - b1) * g[k][i];
                CheckSignArgument(k, i, c, _gradRms[k]);
                Theta[k][i] *= 1 - lr * _wd[_groupOf[k]];
                Theta[k][i] -= lr * Math.Sign(c);
                _m[k][i] = b2 * _m[k][i] + (1 - b2) * g[k][i];
            }
    }

    private void S3(double lr, double[][] g)
    {
        double b1 = H("beta1"), b2 = H("beta2"), p = H("p"), eps = H("eps");
        bool nesterov = H("nesterov") != 0;
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double gi = g[k][i], gp = Math.Pow(Math.Abs(gi), p);
                Theta[k][i] *= 1 - lr * _wd[_groupOf[k]];
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * gi;
                _s[k][i] = b2 * _s[k][i] + (1 - b2) * gp;
                double n = nesterov ? b1 * _m[k][i] + (1 - b1) * gi : _m[k][i];
                double b = Math.Pow(nesterov ? b2 * _s[k][i] + (1 - b2) * gp : _s[k][i], 1 / p);
                Theta[k][i] -= lr * n / (b + eps);
            }
    }

    private void AdaSgd(int t, double lr, double[][] g)
    {
        double b1 = H("beta1"), b2 = H("beta2"), eps = H("eps");
        for (int grp = 0; grp < _groupV.Length; grp++)
        {
            var members = Tensors.Where(k => _groupOf[k] == grp).ToArray();
            double mean = members.SelectMany(k => g[k]).Average(x => x * x);
            _groupV[grp] = b2 * _groupV[grp] + (1 - b2) * mean;
            double denom = Math.Sqrt(_groupV[grp] / (1 - Math.Pow(b2, t))) + eps;
            foreach (int k in members)
                for (int i = 0; i < Theta[k].Length; i++)
                {
                    Theta[k][i] *= 1 - lr * _wd[grp];
                    _m[k][i] = b1 * _m[k][i] + (1 - b1) * g[k][i];
                    Theta[k][i] -= lr * (_m[k][i] / (1 - Math.Pow(b1, t))) / denom;
                }
        }
    }

    private void SgdClip(double lr, double[][] g)
    {
        double b1 = H("beta1");
        var tau = Thresholds(g, H("clip_fraction"));
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                double gi = g[k][i];
                double hat = Math.Sign(gi) * Math.Min(Math.Abs(gi), tau[_groupOf[k]]) + _wd[_groupOf[k]] * Theta[k][i];
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * hat;
                Theta[k][i] -= lr * _m[k][i];
            }
    }

    private void Adafactor(int t, double lr, double[][] g)
    {
        double eps1 = H("eps1"), eps2 = H("eps2"), d = H("clip_threshold"), c = H("decay_rate");
        bool relative = H("relative_step") != 0;
        double bhat = 1 - Math.Pow(t, -c);
        foreach (int k in Tensors)
        {
            int n = Theta[k].Length;
            var u = new double[n];
            if (_shapes[k].Length == 2)
            {
                int rows = _shapes[k][0], cols = _shapes[k][1];
                for (int r = 0; r < rows; r++)
                    _rows[k][r] = bhat * _rows[k][r] + (1 - bhat) * Enumerable.Range(0, cols).Sum(j => g[k][r * cols + j] * g[k][r * cols + j] + eps1);
                for (int j = 0; j < cols; j++)
                    _cols[k][j] = bhat * _cols[k][j] + (1 - bhat) * Enumerable.Range(0, rows).Sum(r => g[k][r * cols + j] * g[k][r * cols + j] + eps1);
                double sumR = _rows[k].Sum();
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < cols; j++)
                        u[r * cols + j] = g[k][r * cols + j] / Math.Sqrt(_rows[k][r] * _cols[k][j] / sumR);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    _v[k][i] = bhat * _v[k][i] + (1 - bhat) * (g[k][i] * g[k][i] + eps1);
                    u[i] = g[k][i] / Math.Sqrt(_v[k][i]);
                }
            }
            double rmsU = Math.Sqrt(u.Average(x => x * x));
            double alpha = relative ? Math.Max(eps2, Math.Sqrt(Theta[k].Average(x => x * x))) * Math.Min(1e-2, 1 / Math.Sqrt(t)) : lr;
            if (relative) MaxStepSize = Math.Max(MaxStepSize, alpha);
            double scale = 1 / Math.Max(1, rmsU / d);
            for (int i = 0; i < n; i++) Theta[k][i] -= alpha * u[i] * scale;
        }
    }

    /// <summary>Muon (golden README, muon): momentum, Nesterov, quintic Newton–Schulz on the wide orientation, decoupled decay, adjusted lr.</summary>
    private void Muon(double lr, double[][] g)
    {
        double mu = H("momentum"), a = H("ns_a"), b = H("ns_b"), c = H("ns_c"), eps = H("eps");
        bool nesterov = H("nesterov") != 0, matchRms = H("adjust_lr") == 1;
        int steps = (int)H("ns_steps");
        foreach (int k in Tensors)
        {
            int rows = _shapes[k][0], cols = _shapes[k][1];
            var x = new double[rows, cols];
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++)
                {
                    int i = r * cols + j;
                    _buf[k][i] = mu * _buf[k][i] + g[k][i];
                    x[r, j] = nesterov ? g[k][i] + mu * _buf[k][i] : _buf[k][i];
                }
            bool transpose = rows > cols;
            if (transpose) x = Transpose(x);
            double norm = 0;
            foreach (double v in x) norm += v * v;
            norm = Math.Max(Math.Sqrt(norm), eps);
            x = Scale(x, 1 / norm);
            for (int s = 0; s < steps; s++)
            {
                var A = Product(x, Transpose(x));
                var AA = Product(A, A);
                var Bm = new double[A.GetLength(0), A.GetLength(1)];
                for (int i = 0; i < A.GetLength(0); i++)
                    for (int j = 0; j < A.GetLength(1); j++) Bm[i, j] = b * A[i, j] + c * AA[i, j];
                var BX = Product(Bm, x);
                for (int i = 0; i < x.GetLength(0); i++)
                    for (int j = 0; j < x.GetLength(1); j++) x[i, j] = a * x[i, j] + BX[i, j];
            }
            if (transpose) x = Transpose(x);
            double adjusted = matchRms ? lr * 0.2 * Math.Sqrt(Math.Max(rows, cols)) : lr * Math.Sqrt(Math.Max(1, (double)rows / cols));
            MaxStepSize = Math.Max(MaxStepSize, adjusted);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++)
                {
                    int i = r * cols + j;
                    Theta[k][i] -= lr * _wd[_groupOf[k]] * Theta[k][i];
                    Theta[k][i] -= adjusted * x[r, j];
                }
        }
    }

    private static double[,] Transpose(double[,] m)
    {
        var t = new double[m.GetLength(1), m.GetLength(0)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) t[j, i] = m[i, j];
        return t;
    }

    private static double[,] Scale(double[,] m, double s)
    {
        var r = (double[,])m.Clone();
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) r[i, j] *= s;
        return r;
    }

    private static double[,] Product(double[,] p, double[,] q)
    {
        int n = p.GetLength(0), k = p.GetLength(1), m = q.GetLength(1);
        var r = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int l = 0; l < k; l++) s += p[i, l] * q[l, j];
                r[i, j] = s;
            }
        return r;
    }

    /// <summary>Schedule-free AdamW (golden README): z, x, y sequences; Theta holds y.</summary>
    private void ScheduleFree(int t, double lr, double[][] g)
    {
        double b1 = H("beta1"), b2 = H("beta2"), eps = H("eps"), warmup = H("warmup_steps"), rPow = H("r"), power = H("weight_lr_power");
        int k0 = t - 1;
        double lrK = lr * (warmup > 0 ? Math.Min(1, (k0 + 1) / warmup) : 1);
        for (int grp = 0; grp < _lrMax.Length; grp++)
        {
            _lrMax[grp] = Math.Max(_lrMax[grp], lrK);
            double w = Math.Pow(k0 + 1, rPow) * Math.Pow(_lrMax[grp], power);
            _weightSum[grp] += w;
            double c = _weightSum[grp] > 0 ? w / _weightSum[grp] : 0;
            foreach (int k in Tensors.Where(k => _groupOf[k] == grp))
                for (int i = 0; i < Theta[k].Length; i++)
                {
                    _z[k][i] -= lrK * _wd[grp] * Theta[k][i];
                    _v[k][i] = b2 * _v[k][i] + (1 - b2) * g[k][i] * g[k][i];
                    _z[k][i] -= lrK * g[k][i] / (Math.Sqrt(_v[k][i] / (1 - Math.Pow(b2, k0 + 1))) + eps);
                    _x[k][i] = (1 - c) * _x[k][i] + c * _z[k][i];
                    Theta[k][i] = b1 * _x[k][i] + (1 - b1) * _z[k][i];
                }
        }
    }

    /// <summary>Schedule-free AdamW's evaluation point x.</summary>
    public double[][] EvaluationPoint => _x;

    /// <summary>SophiaG (golden README): decoupled decay, EMA momentum, sign step clipped by the Hessian estimate.</summary>
    private void Sophia(double lr, double[][] g)
    {
        double b1 = H("beta1"), scale = H("rho") * H("bs");
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++)
            {
                Theta[k][i] *= 1 - lr * _wd[_groupOf[k]];
                _m[k][i] = b1 * _m[k][i] + (1 - b1) * g[k][i];
                Theta[k][i] -= lr * Math.Sign(_m[k][i]) * Math.Min(Math.Abs(_m[k][i]) / (scale * _hess[k][i] + 1e-15), 1);
            }
    }

    /// <summary>Sophia's Hessian update h ← β2 h + (1−β2) ĝ² with the Gauss–Newton–Bartlett gradient ĝ.</summary>
    public void UpdateHessian(double[][] hg)
    {
        double b2 = H("beta2");
        foreach (int k in Tensors)
            for (int i = 0; i < Theta[k].Length; i++) _hess[k][i] = b2 * _hess[k][i] + (1 - b2) * hg[k][i] * hg[k][i];
    }
}
