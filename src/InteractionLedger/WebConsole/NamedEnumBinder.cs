using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace InteractionLedger.WebConsole;

/// <summary>
/// Form and query values naming an enum member bind only by its name: "1" for a channel is a mistake to report, not
/// the second member to record (MVC's own binder accepts numbers).
/// </summary>
public sealed class NamedEnumBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context)
    {
        var type = Nullable.GetUnderlyingType(context.Metadata.ModelType) ?? context.Metadata.ModelType;
        return type.IsEnum ? new NamedEnumBinder(type) : null;
    }

    private sealed class NamedEnumBinder(Type type) : IModelBinder
    {
        public Task BindModelAsync(ModelBindingContext context)
        {
            var value = context.ValueProvider.GetValue(context.ModelName);
            if (value == ValueProviderResult.None) return Task.CompletedTask;
            context.ModelState.SetModelValue(context.ModelName, value);
            var text = value.FirstValue;
            // Empty is "none" for an optional value; for a list's item (channel=) it is no value at all, not the first member.
            if (string.IsNullOrEmpty(text))
            {
                if (Nullable.GetUnderlyingType(context.ModelType) is not null) context.Result = ModelBindingResult.Success(null);
                else context.ModelState.TryAddModelError(context.ModelName, ConsolePage.NotUnderstood);
            }
            else if (Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name)
                context.Result = ModelBindingResult.Success(Enum.Parse(type, name));
            else context.ModelState.TryAddModelError(context.ModelName, ConsolePage.NotUnderstood);
            return Task.CompletedTask;
        }
    }
}
