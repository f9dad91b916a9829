# Rails schema dump
