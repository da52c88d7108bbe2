sockscope-recorder: unexpected argument 'extra'
Try 'sockscope-recorder --help'.
rc=2
