using FocusLab.Optim;
using FocusLab.Optim.Schedules;

// Softmax regression on seeded synthetic data, trained with FOCUS from the FocusLab.Optim package.
// The program computes its own loss and gradients (SoftmaxRegression.cs); the optimizer only sees
// the float buffers of two parameters, in two groups: the weights with weight decay, the bias without.
// Exit code 0: the loss fell below half its initial value; 1: it did not; 2: the hand-written
// gradient disagrees with finite differences.

const int Features = 20, Classes = 5, Samples = 2000, BatchSize = 100, Steps = 300, Seed = 7;

var data = SyntheticData.Create(Features, Classes, Samples, Seed);
var weight = new Parameter("weight", Classes, Features);
var bias = new Parameter("bias", Classes);
var rng = new Random(Seed);
foreach (ref float w in weight.DataSpan) w = (float)(0.01 * SyntheticData.Normal(rng));
var model = new SoftmaxRegression(weight, bias);

double gradientError = model.GradientCheck(data, rows: 64, rng);
Console.WriteLine($"gradient check: largest relative error {gradientError:0.0e+0} against central differences");
if (gradientError > 1e-2)
{
    Console.Error.WriteLine("TrainWithFocus: the hand-written gradient disagrees with finite differences; fix SoftmaxRegression.Loss.");
    return 2;
}

var optimizer = OptimizerFactory.Create(
    "focus:lr=0.02,beta1=0.9,beta2=0.99,gamma=0.2,weight_decay=0.01",
    [new ParameterGroupSpec([weight]), new ParameterGroupSpec([bias], ("weight_decay", 0.0))]);
var scheduler = new LearningRateScheduler(optimizer, new WarmupCosineSchedule(warmupSteps: 20, totalSteps: Steps, floor: 0.1));
Console.WriteLine($"{OptimizerFactory.Describe(optimizer)}; {Samples} samples, {Features} features, {Classes} classes, batch {BatchSize}");

int[] all = Enumerable.Range(0, Samples).ToArray();
int[] batch = new int[BatchSize];
double initial = model.Loss(data, all, computeGradient: false);
Console.WriteLine($"step {0,4}  loss {initial:0.0000}");
double loss = initial;
for (int step = 1; step <= Steps; step++)
{
    for (int i = 0; i < batch.Length; i++) batch[i] = rng.Next(Samples);
    model.Loss(data, batch, computeGradient: true);   // writes ∂loss/∂θ into the parameters' GradSpan
    double lr = scheduler.Apply();
    optimizer.Step();
    if (step % 25 == 0)
    {
        loss = model.Loss(data, all, computeGradient: false);
        Console.WriteLine($"step {step,4}  loss {loss:0.0000}  lr {lr:0.00000}");
    }
}

bool fell = loss < 0.5 * initial;
Console.WriteLine($"loss {initial:0.0000} -> {loss:0.0000} ({loss / initial:0.00}× the initial loss): {(fell ? "fell" : "did NOT fall below half")}");
return fell ? 0 : 1;
