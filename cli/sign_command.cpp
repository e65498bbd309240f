#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "server/twilio/form.h"
#include "server/twilio/signature.h"

namespace callpolicy::cli {

void add_sign_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "sign", "print the X-Twilio-Signature of a request (for curl and tests)");
  struct options {
    std::string url;
    std::string data;
    std::string token_file;
  };
  auto opts = std::make_shared<options>();
  command->add_option("--url", opts->url, "the full public URL, path and query included")->required();
  command->add_option("--data", opts->data, "the form body ('-' reads standard input)");
  command->add_option("--auth-token-file", opts->token_file, "the token (first line)");
  command->callback([opts, &exit_code] {
    std::string token;
    if (!opts->token_file.empty()) {
      std::ifstream in(opts->token_file);
      std::getline(in, token);
    } else if (const char* env = std::getenv("TWILIO_AUTH_TOKEN")) {
      token = env;
    }
    if (token.empty()) {
      std::fputs("callpolicy sign: give --auth-token-file or TWILIO_AUTH_TOKEN\n", stderr);
      exit_code = exit_usage;
      return;
    }
    std::string body = opts->data;
    if (body == "-") body.assign(std::istreambuf_iterator<char>(std::cin), {});
    const auto form = server::parse_form(body);
    if (!form) {
      std::fputs("callpolicy sign: --data is not a form body\n", stderr);
      exit_code = exit_usage;
      return;
    }
    std::puts(server::twilio_signature(token, opts->url, *form).c_str());
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
