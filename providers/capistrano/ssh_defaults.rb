# heaven's ssh defaults for Capistrano 3 (SSHKit and net-ssh), loaded by
# `cap --require` before the Capfile: the deployment's key and known hosts
# from the environment heaven sets (DEPLOY_SSH_KEY_FILE and
# DEPLOY_KNOWN_HOSTS_FILE, nothing written to ~/.ssh), every host key
# checked, no prompts. They are SSHKit's defaults: a repository's own
# `set :ssh_options` is merged over them key by key, so what it sets wins.

SSHKit::Backend::Netssh.configure do |ssh|
  defaults = { verify_host_key: :always, non_interactive: true }
  known_hosts = ENV["DEPLOY_KNOWN_HOSTS_FILE"].to_s
  defaults[:user_known_hosts_file] = known_hosts unless known_hosts.empty?
  key = ENV["DEPLOY_SSH_KEY_FILE"].to_s
  defaults.merge!(keys: [key], keys_only: true) unless key.empty?
  ssh.ssh_options = defaults.merge(ssh.ssh_options)
end

# The deployment status quotes the last line cap prints, which is Rake's
# "(See full trace by running task with --trace)": end with the cause instead.
at_exit do
  error = $!
  error = error.cause while error&.cause
  next if error.nil? || error.is_a?(SystemExit)

  source = ENV["DEPLOY_KNOWN_HOSTS_FILE"].to_s.empty? ? "~/.ssh/known_hosts (set HEAVEN_KNOWN_HOSTS)" : "HEAVEN_KNOWN_HOSTS"
  host = error.message[/for "([^"]+)"/, 1]
  message =
    if defined?(Net::SSH::HostKeyMismatch) && error.is_a?(Net::SSH::HostKeyMismatch)
      "host key of #{host} differs from #{source}; update it if the key changed on purpose"
    elsif defined?(Net::SSH::HostKeyUnknown) && error.is_a?(Net::SSH::HostKeyUnknown)
      "#{host} is not in #{source}; add its host key there"
    else
      "#{error.class}: #{error.message.lines.first.to_s.strip}"
    end
  warn "heaven: #{message}"
end
