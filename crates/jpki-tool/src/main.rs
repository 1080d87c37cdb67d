//! `jpki-tool`: the command-line client for JPKI cards (My Number and Juki cards), for real
//! readers through PC/SC and for simulator card files in process.
//!
//! Exit codes: the table both binaries share, [`cli_common::EXIT_CODES`] (0 success; 1
//! error; 2 usage; 3 wrong or blocked PIN; 4 a signature, certificate or login that does not
//! verify; 5 no PC/SC service, reader or card; 6 invalid input).
//!
//! The binary's own modules: [`cli`] (the command line), [`exit`] (error → exit code),
//! [`open`] (the card the options name) and [`commands`] (one module per command group). The
//! reusable parts (CMS, login, trust anchors, reports, inputs, the demo) are the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use jpki_tool::pin_input::PinInput;

mod cli;
mod commands;
mod exit;
mod open;

use cli::{AuthCmd, CertCmd, Cli, Cmd, FaceCmd, PinCmd, ShowSource, TextCmd};
use commands::{auth, card, certs, face, sign, text};
use open::with_card;

fn main() -> ExitCode {
    // First, before any PIN or key is in memory: a crash must not write them to a core file.
    if let Err(e) = cli_common::process::disable_core_dumps() {
        eprintln!(
            "jpki-tool: warning: cannot disable core dumps ({e}); a crash could write PINs and keys to a core file"
        );
    }
    // `jpki-tool … | head -1`: a closed standard output ends the process quietly
    cli_common::process::exit_quietly_on_closed_stdout();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jpki-tool: {}", cli_common::one_line(e.chain()));
            ExitCode::from(exit::exit_code(&e))
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let g = cli.global;
    let mut pins = PinInput::from_stdin_flag(g.pin_stdin);
    match cli.command {
        Cmd::Readers => card::readers(),
        Cmd::Info {
            json,
            with_sign,
            trust,
        } => with_card(&g, |c| card::info(c, json, with_sign, &trust, &mut pins))
            .or_else(|e| card::no_jpki_application(e, json)),
        Cmd::Cert(CertCmd::Show {
            which: ShowSource::Card(which),
            format,
        }) => with_card(&g, |c| certs::show_from_card(c, which, &format, &mut pins)),
        Cmd::Cert(CertCmd::Show {
            which: ShowSource::File(file),
            format,
        }) => certs::show_from_file(&file, &format),
        Cmd::Cert(CertCmd::Export { which, output, pem }) => {
            with_card(&g, |c| certs::export(c, which, &output, pem, &mut pins))
        }
        Cmd::Cert(CertCmd::Verify {
            file,
            trust,
            revocation,
            json,
        }) => certs::verify_certificate(&file, &trust, revocation, json),
        Cmd::Pin(PinCmd::Status { json }) => with_card(&g, |c| card::pin_status(c, json)),
        Cmd::Pin(PinCmd::Change { which }) => {
            with_card(&g, |c| card::change_pin(c, which, &mut pins))
        }
        Cmd::Pin(PinCmd::Reset { with_puk: _ }) => {
            with_card(&g, |c| card::reset_pin_with_puk(c, &mut pins))
        }
        Cmd::Sign { key, file, output } => {
            with_card(&g, |c| sign::sign_file(c, key, &file, &output, &mut pins))
        }
        Cmd::Verify {
            signature,
            file,
            trust,
            revocation,
            json,
        } => sign::verify_signature(&signature, &file, &trust, revocation, json),
        Cmd::Auth(AuthCmd::Challenge { service, output }) => auth::challenge(&service, &output),
        Cmd::Auth(AuthCmd::Respond { challenge, output }) => {
            with_card(&g, |c| auth::respond(c, &challenge, &output, &mut pins))
        }
        Cmd::Auth(AuthCmd::Check {
            challenge,
            response,
            trust,
            max_age,
            used,
            no_revocation_check,
            json,
        }) => auth::check(
            &challenge,
            &response,
            &trust,
            max_age,
            used.as_deref(),
            no_revocation_check,
            json,
        ),
        Cmd::Text { json, sub: None } => with_card(&g, |c| text::text_support(c, &mut pins, json)),
        Cmd::Text {
            sub: Some(TextCmd::BasicInfo { json, card_ca }),
            ..
        } => with_card(&g, |c| text::basic_info(c, card_ca.as_deref(), json)),
        Cmd::Face(FaceCmd::Show {
            out_dir,
            face_ca,
            json,
        }) => with_card(&g, |c| {
            face::show(c, &mut pins, &out_dir, face_ca.as_deref(), json)
        }),
        Cmd::Face(FaceCmd::Verify { json }) => with_card(&g, |c| face::verify(c, &mut pins, json)),
        #[cfg(feature = "simulator")]
        Cmd::Demo { dir } => commands::demo::run(dir),
    }
}
