# `bundle ARGS` limited to the Gemfile's :deployment and :heaven groups, as
# Heaven's bundler_capistrano installed them: every other group, the default
# one included, goes to BUNDLE_WITHOUT. Bundler 2.3 has no BUNDLE_ONLY, and
# only Bundler can read a Gemfile's groups. Settings travel in the
# environment alone, so nothing is written to the checkout's .bundle.
require "bundler"

DEPLOYMENT_GROUPS = %i[deployment heaven].freeze

begin
  groups = Bundler.definition.groups.map(&:to_sym)
rescue Bundler::BundlerError => e
  abort "heaven: #{e.message.lines.first.to_s.strip}"
end
if (groups & DEPLOYMENT_GROUPS).empty?
  abort "heaven: the Gemfile has no :deployment or :heaven group; put capistrano in one (group :deployment do gem \"capistrano\" end)"
end
ENV["BUNDLE_WITHOUT"] = (groups - DEPLOYMENT_GROUPS).join(":")
exec(Gem.ruby, Gem.bin_path("bundler", "bundle"), *ARGV)
