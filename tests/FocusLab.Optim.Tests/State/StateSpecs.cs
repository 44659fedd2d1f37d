namespace FocusLab.Optim.Tests.State;

/// <summary>For each factory id, a spec that switches on every state buffer the optimizer can have (momentum, centering, Adafactor's β1).</summary>
internal static class StateSpecs
{
    public static string For(string id) => id switch
    {
        "sgd" => "sgd:momentum=0.9,nesterov=true",
        "rmsprop" => "rmsprop:momentum=0.5,centered=true",
        "focus" => "focus:weight_decay=0.1,decay=after",
        "adafactor" => "adafactor:beta1=0.9,weight_decay=0.01",
        "signum" or "lion" or "s3" or "adamw" => id + ":weight_decay=0.1",
        "muon" => "muon:weight_decay=0.1,aux=adamw:weight_decay=0.1",
        "schedulefree_adamw" => "schedulefree_adamw:weight_decay=0.1,warmup_steps=3",
        "sophia" => "sophia:lr=1e-3,bs=4",
        _ => id,
    };

    public static TheoryData<string> AllIds() => new(OptimizerFactory.Ids);

    /// <summary>The lr schedule both the interrupted and the uninterrupted run follow.</summary>
    public static double Lr(long t) => 1e-2 * (1 + 0.1 * t) / (1 + 0.02 * t * t);
}
