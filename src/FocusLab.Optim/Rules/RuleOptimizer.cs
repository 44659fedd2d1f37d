namespace FocusLab.Optim;

/// <summary>
/// An optimizer whose whole step is one per-coordinate <see cref="IUpdateRule"/>: each group and step
/// builds the rule once from typed hyperparameters (<see cref="RuleAt"/>) and <see cref="RuleDriver"/>
/// applies it to every chunk. The same rule drives the phase sweep engine (<see cref="Accept{TResult}"/>).
/// </summary>
/// <typeparam name="TRule">The update rule.</typeparam>
public abstract class RuleOptimizer<TRule> : Optimizer, IRuleOptimizer where TRule : struct, IUpdateRule
{
    private float[]?[][] _states = [];
    private TRule _rule;
    private float _lr, _weightDecay;

    /// <summary>The rule of the group and step being run (set by <see cref="BeginGroup"/>).</summary>
    protected ref readonly TRule CurrentRule => ref _rule;

    /// <summary>The learning rate the current rule receives (set by <see cref="BeginGroup"/>).</summary>
    protected float CurrentLearningRate => _lr;

    /// <summary>The weight decay the current rule receives (set by <see cref="BeginGroup"/>).</summary>
    protected float CurrentWeightDecay => _weightDecay;

    /// <summary>Builds the groups as <see cref="Optimizer"/> does; the subclass then allocates its state with <see cref="UseStates"/>.</summary>
    /// <param name="id">Canonical optimizer id.</param>
    /// <param name="schema">The hyperparameters the optimizer understands.</param>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="settings">Spec-level hyperparameter values.</param>
    protected RuleOptimizer(string id, IReadOnlyList<Hyperparameter> schema, IEnumerable<ParameterGroupSpec> groups, IReadOnlyDictionary<string, string>? settings)
        : base(id, schema, groups, settings)
    {
    }

    /// <summary>Builds groups that may follow different schemas (a composite such as muon, whose rule steps only some of its tensors).</summary>
    private protected RuleOptimizer(string id, IReadOnlyList<Hyperparameter> schema, IEnumerable<GroupDefinition> groups)
        : base(id, schema, groups)
    {
    }

    /// <summary>The rule's state buffers s0, s1, … per parameter (a null array: an optional buffer that does not exist).</summary>
    protected void UseStates(params float[]?[][] states)
    {
        if (states.Length != TRule.StateCount) throw new InvalidOperationException($"{Id}: the rule has {TRule.StateCount} states, {states.Length} given.");
        _states = states;
    }

    /// <summary>Step <paramref name="t"/>'s rule for <paramref name="group"/>: its scalars from the typed hyperparameters (called once per group and step, in step order).</summary>
    public TRule RuleAt(ParameterGroup group, long t) => CreateRule(group, t);

    /// <summary>Builds step <paramref name="t"/>'s rule for the group (the learning rate and weight decay are applied by <see cref="IUpdateRule.BroadcastRun{TVec}"/>).</summary>
    protected abstract TRule CreateRule(ParameterGroup group, long t);

    /// <summary>The learning rate the rule receives for the group (the group's lr).</summary>
    protected virtual double LearningRateOf(ParameterGroup group) => group.Lr;

    /// <summary>The weight decay the rule receives for the group (its weight_decay).</summary>
    protected virtual double WeightDecayOf(ParameterGroup group) => group.Get("weight_decay");

    /// <inheritdoc/>
    protected override void BeginGroup(ParameterGroup group, long t)
    {
        _rule = CreateRule(group, t);
        _lr = (float)LearningRateOf(group);
        _weightDecay = (float)WeightDecayOf(group);
    }

    /// <summary>Runs the current rule over [start, end) of parameter <paramref name="param"/>.</summary>
    protected override void UpdateRange(int param, int start, int end) => Run(_rule, param, start, end);

    /// <summary>
    /// Runs <paramref name="rule"/> (with this group step's lr and weight decay) over [start, end) of a parameter, on the
    /// optimizer's states: for optimizers whose rule changes within a group (per block), or that run a specialised form of
    /// their rule (s3's p = 3 path).
    /// </summary>
    protected void Run<TAny>(in TAny rule, int param, int start, int end) where TAny : struct, IUpdateRule
    {
        var p = Parameters[param];
        RuleDriver.Run(rule, _lr, _weightDecay, p.DataSpan, p.GradSpan, State(0, param), State(1, param), State(2, param), State(3, param), start, end);
    }

    /// <summary>State buffer s<paramref name="k"/> of parameter <paramref name="param"/> (empty when the rule has no such state or it is optional and absent).</summary>
    protected Span<float> State(int k, int param) => k < _states.Length && _states[k][param] is { } s ? s : default;

    /// <inheritdoc/>
    public virtual TResult Accept<TResult>(IRuleOptimizerVisitor<TResult> visitor) => visitor.Visit(this);
}

/// <summary>An optimizer driven by one <see cref="IUpdateRule"/>, whose rule type a visitor can recover.</summary>
public interface IRuleOptimizer
{
    /// <summary>Calls <paramref name="visitor"/> with this optimizer typed by its rule.</summary>
    TResult Accept<TResult>(IRuleOptimizerVisitor<TResult> visitor);
}

/// <summary>Receives a <see cref="RuleOptimizer{TRule}"/> with its rule type (so the caller can specialise code on it).</summary>
/// <typeparam name="TResult">What the visit returns.</typeparam>
public interface IRuleOptimizerVisitor<out TResult>
{
    /// <summary>Visits <paramref name="optimizer"/>.</summary>
    TResult Visit<TRule>(RuleOptimizer<TRule> optimizer) where TRule : struct, IUpdateRule;

    /// <summary>Visits an optimizer whose rule reduces over a group first (<see cref="IGroupReducingRule"/>).</summary>
    TResult VisitGroupReducing<TRule>(GroupReducingRuleOptimizer<TRule> optimizer) where TRule : struct, IGroupReducingRule;

    /// <summary>
    /// Visits an optimizer whose group-reducing rule may take its learning rate from the group's parameters (<see cref="IRelativeStepRule"/>:
    /// Adafactor's relative step). Visitors that do not run the relative step themselves treat it as any group-reducing optimizer.
    /// </summary>
    TResult VisitRelativeStep<TRule>(GroupReducingRuleOptimizer<TRule> optimizer) where TRule : struct, IRelativeStepRule => VisitGroupReducing(optimizer);
}
