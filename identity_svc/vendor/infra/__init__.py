"""In the Lambda package only the resource definitions of infra/ (the symlink beside this file)."""
