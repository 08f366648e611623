//! Compiles the Slint UI with its translations bundled (English source strings; Chinese, the
//! kiosk's default, in ui/translations/zh) and with debug info, so that tests and the headless
//! demo find elements by their accessible labels.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("ui/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(true);
    slint_build::compile_with_config("ui/app.slint", config).expect("the UI compiles");
}
